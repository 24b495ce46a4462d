using System.Diagnostics;
using System.Net;
using Sluice.Core.Balancing;
using Sluice.Delivery.Dns;
using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Pools;

/// <summary>
/// The active health check of an SMTP member: connect, expect 220, EHLO, STARTTLS if asked, QUIT,
/// all within the check's timeout. Never throws: every way it can go wrong is a result.
/// </summary>
/// <param name="preamble">Sent before the greeting: a PROXY LOCAL header when the members expect PROXY from us.</param>
public sealed class SmtpProbe(MxResolver dns, TimeProvider time, ReadOnlyMemory<byte> preamble = default)
{
    public async Task<ProbeResult> ProbeAsync(string address, HealthCheckOptions check, string heloName, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var budget = new CancellationTokenSource(check.Timeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(budget.Token, cancellationToken);
            if (await ResolveAsync(address, linked.Token).ConfigureAwait(false) is not { } target)
            {
                return new ProbeResult(false, $"{address} does not resolve", Stopwatch.GetElapsedTime(started));
            }

            var options = new SmtpClientOptions
            {
                HeloName = heloName,
                Tls = check.StartTls ? TlsPolicy.Required : TlsPolicy.Disabled,
                ConnectTimeout = check.Timeout,
                GreetingTimeout = check.Timeout,
                CommandTimeout = check.Timeout,
                Preamble = preamble,
            };
            var (connection, failure) = await SmtpClientConnection.OpenAsync(target, target.Address.ToString(), options, time, linked.Token).ConfigureAwait(false);
            if (connection is null)
            {
                return new ProbeResult(false, failure?.Reply.ToString() ?? "no session", Stopwatch.GetElapsedTime(started));
            }

            await using (connection.ConfigureAwait(false))
            {
                await connection.QuitAsync().ConfigureAwait(false);
            }

            return new ProbeResult(true, check.StartTls ? "220, EHLO and STARTTLS answered" : "220 and EHLO answered", Stopwatch.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ProbeResult(false, $"no answer within {check.Timeout.TotalSeconds:0.#} s", Stopwatch.GetElapsedTime(started));
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            return new ProbeResult(false, ex.Message, Stopwatch.GetElapsedTime(started));
        }
    }

    private async Task<IPEndPoint?> ResolveAsync(string address, CancellationToken cancellationToken)
    {
        var relay = Routing.Router.Parse(address, null);
        var (hosts, _) = await dns.ResolveRelayAsync(relay.RelayHost!, cancellationToken).ConfigureAwait(false);
        return hosts is [{ Addresses: [var first, ..] }, ..] ? new IPEndPoint(first, relay.RelayPort) : null;
    }
}
