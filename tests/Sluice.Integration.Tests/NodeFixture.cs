using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>One running node shared by the tests of a class; its data folder is removed afterwards.</summary>
public sealed class NodeFixture : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();

    public SluiceProcess Node { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Node = await SluiceProcess.StartAsync(_dir.Path);
        Http = Node.CreateHttpClient();
        Http.Timeout = TimeSpan.FromSeconds(30);
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Node.DisposeAsync();
        _dir.Dispose();
    }
}
