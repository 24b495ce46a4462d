using System.Text.Json;
using Sluice.Core.Messages;
using Sluice.Core.Queue;

namespace Sluice.Sink;

/// <summary>
/// Where the sink puts what it accepts: counted always; with a store folder, written Maildir-style
/// (<c>tmp/</c> then rename into <c>new/</c>, so a reader never sees half a file) with the envelope
/// beside it in <c>envelopes/ID.json</c>. A sink is a test peer: nothing is fsynced.
/// </summary>
internal sealed class SinkStore(string? folder, SinkStats stats, SinkFeedbackReporter? reporter = null) : IMessageStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async ValueTask<EnqueueResult> EnqueueAsync(Envelope envelope, MessageId id, DateTimeOffset receivedAt, MessageBuffer content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(content);
        if (folder is not null)
        {
            var tmp = Path.Combine(folder, "tmp", id.Value);
            Directory.CreateDirectory(Path.Combine(folder, "tmp"));
            Directory.CreateDirectory(Path.Combine(folder, "new"));
            Directory.CreateDirectory(Path.Combine(folder, "envelopes"));
            try
            {
                await using (var file = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: false))
                {
                    content.CopyTo(file);
                }

                await File.WriteAllTextAsync(Path.Combine(folder, "envelopes", id.Value + ".json"), JsonSerializer.Serialize(envelope, Json), cancellationToken).ConfigureAwait(false);
                File.Move(tmp, Path.Combine(folder, "new", id.Value + ".eml"));
            }
            catch (IOException)
            {
                return EnqueueResult.StorageFailed;
            }
        }

        stats.MessageAccepted(content.Length, envelope.Recipients.Count);
        reporter?.OnAccepted(envelope, content);
        return EnqueueResult.Stored;
    }
}
