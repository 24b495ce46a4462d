using Sluice.Core.State;

namespace Sluice.Http;

/// <summary>
/// A node with no API keys at all gets one admin key at start, written to <c>DATA/admin.key</c>
/// (readable by its owner only). The CLI uses that file when no key is given; with it, an operator
/// creates narrower keys (<c>sluice keys create</c>) for applications.
/// </summary>
internal sealed class ApiKeyBootstrap(IApiKeyStore keys, string dataDirectory, TimeProvider time, ILogger<ApiKeyBootstrap> logger) : IHostedService
{
    public const string FileName = "admin.key";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if ((await keys.ListAsync(cancellationToken).ConfigureAwait(false)).Count > 0)
        {
            return;
        }

        var (token, id, hash) = ApiKeyToken.Create();
        await keys.AddAsync(new ApiKey(id, "admin", ApiScopes.All, time.GetUtcNow()), hash, cancellationToken).ConfigureAwait(false);
        var path = Path.Combine(dataDirectory, FileName);
        await using (var file = new StreamWriter(path, System.Text.Encoding.ASCII, Core.OwnerOnlyFile.Create(FileMode.Create)))
        {
            await file.WriteLineAsync(token.AsMemory(), cancellationToken).ConfigureAwait(false);
        }

        ApiLog.BootstrapKey(logger, path);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
