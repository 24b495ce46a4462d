using System.Text.Json;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>The sending CLI over a running node: templates, one message, and a CSV batch with its summary.</summary>
public sealed class CliSendTests : IAsyncLifetime
{
    private ApiWorld _world = null!;

    public async Task InitializeAsync() => _world = await ApiWorld.StartAsync("127.0.0.35");

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task Templates_CreateAndPreview_OverTheCli()
    {
        var text = Path.Combine(_world.Folder, "welcome.txt");
        await File.WriteAllTextAsync(text, "Welcome, {{ name }}!");

        var (code, created, _) = await CliAsync("templates", "create", "--name", "welcome", "--subject", "Hi {{ name }}", "--text-file", text);
        Assert.Equal(0, code);
        var id = JsonDocument.Parse(created).RootElement.GetProperty("id").GetString()!;

        var (previewCode, preview, _) = await CliAsync("templates", "preview", id, "--var", "name=Ann");
        Assert.Equal(0, previewCode);
        Assert.Contains("Welcome, Ann!", preview, StringComparison.Ordinal);
        Assert.Contains("Hi Ann", preview, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_OneMessage_IsDelivered()
    {
        var token = Guid.NewGuid().ToString("N");

        var (code, output, _) = await CliAsync("send", "--from", "cli@src.example", "--to", "one@dest.example", "--subject", token, "--text", "from the command line");

        Assert.Equal(0, code);
        Assert.Equal(1, JsonDocument.Parse(output).RootElement.GetProperty("recipients").GetInt32());
        await DeliveryFixture.WaitForMessageAsync(_world.Store, token);
    }

    [Fact]
    public async Task Send_Batch_ReportsAcceptedAndRefusedAndDeliversEachRecipientsContent()
    {
        var text = Path.Combine(_world.Folder, "digest.txt");
        await File.WriteAllTextAsync(text, "Code {{ code }} for {{ name }}");
        var (_, created, _) = await CliAsync("templates", "create", "--name", "digest", "--subject", "Digest {{ code }}", "--text-file", text);
        var id = JsonDocument.Parse(created).RootElement.GetProperty("id").GetString()!;
        var run = Guid.NewGuid().ToString("N")[..8];
        var csv = Path.Combine(_world.Folder, "recipients.csv");
        await File.WriteAllLinesAsync(csv, ["to,name,code", .. Enumerable.Range(0, 4).Select(i => $"r{i}@dest.example,Reader {i},{run}-{i}"), "not an address,Nobody,x"]);

        var (code, output, _) = await CliAsync("send", "--batch", csv, "--template", id, "--from", "news@src.example");

        Assert.Equal(0, code);
        Assert.Matches(@"accepted\s*│\s*4", output);
        Assert.Matches(@"refused\s*│\s*1", output);
        for (var i = 0; i < 4; i++)
        {
            var file = await DeliveryFixture.WaitForMessageAsync(_world.Store, $"Code {run}-{i} for Reader {i}");
            Assert.Contains($"Subject: Digest {run}-{i}", await File.ReadAllTextAsync(file), StringComparison.Ordinal);
        }
    }

    private Task<(int ExitCode, string StdOut, string StdErr)> CliAsync(params string[] args)
        => SluiceProcess.RunAsync([.. args, "--api", _world.Node.HttpBase.ToString(), "--key", _world.Node.ApiKey!]);
}
