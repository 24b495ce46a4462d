using Sluice.Core.Events;
using Sluice.Core.Messages;
using Sluice.Core.Telemetry;

namespace Sluice.Delivery.Reputation;

/// <summary>
/// Who sent a message, as reputation counts it: its sending domain (the bounded shared string of
/// <see cref="SenderDomains"/>), its tags and its credential. The null sender (our own DSNs) has no
/// identity: <see cref="IsNone"/>.
/// </summary>
public readonly struct SenderIdentity(string domain, IReadOnlyList<string>? tags, string? credential)
{
    public string Domain { get; } = domain;

    public IReadOnlyList<string>? Tags { get; } = tags;

    public string? Credential { get; } = credential;

    public bool IsNone => Domain.Length == 0 && Credential is null && Tags is not { Count: > 0 };

    public static SenderIdentity Of(Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return new SenderIdentity(SenderDomains.Of(envelope.Sender), envelope.Tags, envelope.AuthenticatedUser);
    }

    public static SenderIdentity Of(IndexedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new SenderIdentity(SenderDomains.Of(message.Sender), message.Tags, message.Credential);
    }

    /// <summary>The identity of a report's sender when its message is not known: the domain only.</summary>
    public static SenderIdentity OfSender(string? sender) => new(sender is null ? string.Empty : SenderDomains.Of(sender), null, null);

    /// <summary>Whether <paramref name="key"/> is one of this identity's keys (keys compare without case).</summary>
    public bool Has(SenderKey key)
    {
        switch (key.Scope)
        {
            case SenderScope.SenderDomain:
                return string.Equals(Domain, key.Value, StringComparison.OrdinalIgnoreCase);
            case SenderScope.ApiKey:
                return string.Equals(Credential, key.Value, StringComparison.OrdinalIgnoreCase);
            default:
                foreach (var tag in Tags ?? [])
                {
                    if (string.Equals(tag, key.Value, StringComparison.OrdinalIgnoreCase))
                    {
                        return true;
                    }
                }

                return false;
        }
    }

    /// <summary>Each key of this identity (domain, each tag, credential), through a callback: no list per message.</summary>
    public void ForEach<TState>(TState state, Action<TState, SenderKey> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (Domain.Length > 0)
        {
            action(state, new SenderKey(SenderScope.SenderDomain, Domain));
        }

        if (Tags is { } tags)
        {
            for (var i = 0; i < tags.Count; i++)
            {
                action(state, new SenderKey(SenderScope.Tag, tags[i]));
            }
        }

        if (Credential is { Length: > 0 } credential)
        {
            action(state, new SenderKey(SenderScope.ApiKey, credential));
        }
    }
}
