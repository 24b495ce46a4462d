using Sluice.Core;

namespace Sluice.Delivery.Reputation;

/// <summary>
/// The senders whose mail is paused, until when and why; kept in <c>pauses.json</c> in the data
/// folder so a pause survives a restart. Looked up for every leased message, so an empty set costs
/// one read.
/// </summary>
public sealed class SenderPauses(TimeProvider time, string? file = null)
{
    private readonly ExpiringMap<SenderKey, SenderPause> _pauses = new(
        time,
        static pause => pause.Until,
        initial: file is null ? null : Load(file),
        save: file is null ? null : live => DurableJsonFile.Write(file, live.ConvertAll(e => new Saved(e.Key.ToString(), e.Value.Since, e.Value.Until, e.Value.Cause, e.Value.Reason))));

    public bool IsEmpty => _pauses.IsEmpty;

    /// <summary>Pauses a sender (or moves an existing pause's end); saved before this returns. False when it was paused already.</summary>
    public bool Pause(SenderPause pause)
    {
        ArgumentNullException.ThrowIfNull(pause);
        return _pauses.Set(pause.Key, pause);
    }

    public SenderPause? Resume(SenderKey key) => _pauses.TryRemove(key, out var pause) ? pause : null;

    public SenderPause? Get(SenderKey key) => _pauses.TryGetLive(key, out var pause) ? pause : null;

    /// <summary>The pause that holds mail from <paramref name="sender"/> now, or null.</summary>
    public SenderPause? Find(in SenderIdentity sender)
    {
        if (_pauses.IsEmpty)
        {
            return null;
        }

        if (sender.Domain.Length > 0 && Get(new SenderKey(SenderScope.SenderDomain, sender.Domain)) is { } byDomain)
        {
            return byDomain;
        }

        if (sender.Tags is { } tags)
        {
            for (var i = 0; i < tags.Count; i++)
            {
                if (Get(new SenderKey(SenderScope.Tag, tags[i])) is { } byTag)
                {
                    return byTag;
                }
            }
        }

        return sender.Credential is { Length: > 0 } credential ? Get(new SenderKey(SenderScope.ApiKey, credential)) : null;
    }

    /// <summary>Removes the pauses whose time is up and returns them, so their held mail can be released.</summary>
    public List<SenderPause> TakeExpired() => _pauses.TakeEnded().ConvertAll(e => e.Value);

    /// <summary>The pauses in force, oldest first.</summary>
    public List<SenderPause> Snapshot()
    {
        var live = _pauses.Live().ConvertAll(e => e.Value);
        live.Sort((a, b) => a.Since.CompareTo(b.Since));
        return live;
    }

    private static IEnumerable<KeyValuePair<SenderKey, SenderPause>> Load(string file)
    {
        foreach (var s in DurableJsonFile.Read<List<Saved>>(file) ?? [])
        {
            if (SenderKey.TryParse(s.Key, out var key))
            {
                yield return new(key, new SenderPause(key, s.Since, s.Until, s.Cause, s.Reason));
            }
        }
    }

    private sealed record Saved(string Key, DateTimeOffset Since, DateTimeOffset Until, PauseCause Cause, string Reason);
}
