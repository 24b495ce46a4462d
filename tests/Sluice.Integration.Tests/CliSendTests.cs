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
    public async Task Send_Batch_QuotedFieldsKeptRefusedLinesNamedAndExitCodeOne()
    {
        var text = Path.Combine(_world.Folder, "digest.txt");
        await File.WriteAllTextAsync(text, "Code {{ code }} for {{ name }}");
        var (_, created, _) = await CliAsync("templates", "create", "--name", "digest", "--subject", "Digest {{ code }}", "--text-file", text);
        var id = JsonDocument.Parse(created).RootElement.GetProperty("id").GetString()!;
        var run = Guid.NewGuid().ToString("N")[..8];
        var csv = Path.Combine(_world.Folder, "recipients.csv");

        // A BOM, a quoted name with a comma (it shifted the columns before), a quoted field with a
        // doubled quote, a row short of a field, an address the node refuses.
        await File.WriteAllTextAsync(csv, string.Join("\r\n",
        [
            "to,name,code",
            .. Enumerable.Range(0, 3).Select(i => $"r{i}@dest.example,Reader {i},{run}-{i}"),
            $"smith@dest.example,\"Smith, Jr\",{run}-s",
            $"quote@dest.example,\"The \"\"Q\"\"\",{run}-q",
            "short@dest.example,Only a name",
            "not an address,Nobody,x",
        ]), new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        var (code, output, _) = await CliAsync("send", "--batch", csv, "--template", id, "--from", "news@src.example");

        Assert.Equal(1, code);
        Assert.Matches(@"accepted\s*│\s*5", output);
        Assert.Matches(@"refused\s*│\s*2", output);
        Assert.Matches(@"│\s*7\s*│\s*short@dest\.example\s*│\s*2 fields where the header names 3", output);
        Assert.Matches(@"│\s*8\s*│\s*not an address\s*│", output);
        var smith = await DeliveryFixture.WaitForMessageAsync(_world.Store, $"Code {run}-s for Smith, Jr");
        Assert.Contains($"Subject: Digest {run}-s", await File.ReadAllTextAsync(smith), StringComparison.Ordinal);
        await DeliveryFixture.WaitForMessageAsync(_world.Store, $"Code {run}-q for The \"Q\"");
        for (var i = 0; i < 3; i++)
        {
            await DeliveryFixture.WaitForMessageAsync(_world.Store, $"Code {run}-{i} for Reader {i}");
        }
    }

    [Theory]
    [InlineData("send", "--from", "a@src.example", "--to", "b@dest.example", "--text", "x", "--attach", "/nope/missing.pdf")]
    [InlineData("send", "--batch", "/nope/list.csv", "--template", "t", "--from", "a@src.example")]
    [InlineData("templates", "create", "--name", "x", "--html-file", "/nope/body.html")]
    public async Task Cli_MissingFile_OneLineAndExitTwo(params string[] args)
    {
        var (code, _, stderr) = await CliAsync(args);

        Assert.Equal(2, code);
        Assert.StartsWith("sluice: ", stderr, StringComparison.Ordinal);
        Assert.Contains("/nope/", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Templates_ListWithoutJson_IsATableForPeople()
    {
        await CliAsync("templates", "create", "--name", "tabled", "--subject", "S <b>&'x'", "--text-file", await WriteAsync("t.txt", "x"));

        var (code, output, _) = await SluiceProcess.RunAsync(["templates", "list", "--api", _world.Node.HttpBase.ToString(), "--key", _world.Node.ApiKey!]);

        Assert.Equal(0, code);
        Assert.Matches(@"│\s*id\s*│\s*version\s*│\s*name", output);
        Assert.Contains("S <b>&'x'", output, StringComparison.Ordinal);
        Assert.DoesNotContain("{", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u00", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Templates_UpdateWithOnlyTheHtml_KeepsSubjectAndText()
    {
        var text = Path.Combine(_world.Folder, "v1.txt");
        var html = Path.Combine(_world.Folder, "v2.html");
        await File.WriteAllTextAsync(text, "text of v1");
        await File.WriteAllTextAsync(html, "<p>html of v2</p>");
        var (_, created, _) = await CliAsync("templates", "create", "--name", "keep", "--subject", "Subject of v1", "--text-file", text);
        var id = JsonDocument.Parse(created).RootElement.GetProperty("id").GetString()!;

        var (code, updated, _) = await CliAsync("templates", "update", id, "--html-file", html);

        Assert.Equal(0, code);
        var version = JsonDocument.Parse(updated).RootElement;
        Assert.Equal(2, version.GetProperty("version").GetInt32());
        Assert.Equal("Subject of v1", version.GetProperty("subject").GetString());
        Assert.Equal("text of v1", version.GetProperty("text").GetString());
        Assert.Equal("<p>html of v2</p>", version.GetProperty("html").GetString());
    }

    [Fact]
    public async Task Suppressions_ExpiresNotADate_SaysWhatItTakes()
    {
        var (code, _, stderr) = await CliAsync("suppressions", "add", "x@dest.example", "--expires", "tomorrow");

        Assert.NotEqual(0, code);
        Assert.Contains("--expires: 'tomorrow' is not a date and time (ISO 8601", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", stderr, StringComparison.Ordinal);

        var (ok, _, _) = await CliAsync("suppressions", "add", "y@dest.example", "--expires", "30d");
        Assert.Equal(0, ok);
    }

    private async Task<string> WriteAsync(string name, string content)
    {
        var path = Path.Combine(_world.Folder, name);
        await File.WriteAllTextAsync(path, content);
        return path;
    }

    private Task<(int ExitCode, string StdOut, string StdErr)> CliAsync(params string[] args)
        => SluiceProcess.RunAsync([.. args, "--api", _world.Node.HttpBase.ToString(), "--key", _world.Node.ApiKey!, "--json"]);
}
