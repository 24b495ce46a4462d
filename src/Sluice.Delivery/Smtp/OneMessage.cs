using System.Net;

namespace Sluice.Delivery.Smtp;

/// <summary>
/// One message to one server, outside the delivery engine: connect, send, quit. For tools that
/// send a message of their own (the test sink's scripted feedback reports), not for queued mail.
/// </summary>
public static class OneMessage
{
    /// <summary>An outcome per recipient; a connection that failed gives every recipient its failure.</summary>
    public static async Task<IReadOnlyList<RecipientOutcome>> SendAsync(IPEndPoint server, OutboundMessage message, SmtpClientOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var (connection, failure) = await SmtpClientConnection.OpenAsync(server, server.Address.ToString(), options, time, cancellationToken).ConfigureAwait(false);
        if (connection is null)
        {
            var outcomes = new List<RecipientOutcome>(message.Recipients.Count);
            foreach (var recipient in message.Recipients)
            {
                outcomes.Add(new RecipientOutcome(recipient, failure!));
            }

            return outcomes;
        }

        await using (connection.ConfigureAwait(false))
        {
            var outcomes = await connection.SendAsync(message, cancellationToken).ConfigureAwait(false);
            await connection.QuitAsync().ConfigureAwait(false);
            return outcomes;
        }
    }
}
