namespace Sluice.Balance;

/// <summary>The failover run of one connection (outside the unsafe parts: it awaits).</summary>
internal sealed partial class ProxyLoop
{
    private async Task FailOverAsync(ProxiedConnection connection)
    {
        try
        {
            var taken = await _failover.RunAsync(connection.Pool, member => BeginConnect(connection, member)).ConfigureAwait(false);
            RunOnLoop(() => Taken(connection, taken));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            BalanceLog.ConnectionFailed(_logger, ex);
            RunOnLoop(() => Finish(connection));
        }
    }
}
