using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>The suppression list: refused at RCPT (550 5.7.1) and in the API per recipient, checked again before delivery, scoped, expiring, imported and exported, kept across restarts.</summary>
public sealed class SuppressionTests : IAsyncLifetime
{
    private ApiWorld _world = null!;

    private HttpClient Http => _world.Http;

    private SluiceProcess Node => _world.Node;

    private SluiceProcess Sink => _world.Sink;

    private string Store => _world.Store;

    public async Task InitializeAsync() => _world = await ApiWorld.StartAsync("127.0.0.32");

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task Rcpt_SuppressedAddress_Is550WithReasonAndStaysSoAfterRestart()
    {
        await SuppressAsync(new { address = "gone@dest.example", reason = "bounce" });

        Assert.StartsWith("550 5.7.1 Recipient <Gone@Dest.example> is on the suppression list (bounce)", await SmtpDialog.RcptReplyAsync(Node.SmtpEndpoint, "a@src.example", "Gone@Dest.example"), StringComparison.Ordinal);
        Assert.StartsWith("250", await SmtpDialog.RcptReplyAsync(Node.SmtpEndpoint, "a@src.example", "here@dest.example"), StringComparison.Ordinal);

        await _world.RestartNodeAsync();
        Assert.StartsWith("550 5.7.1", await SmtpDialog.RcptReplyAsync(Node.SmtpEndpoint, "a@src.example", "gone@dest.example"), StringComparison.Ordinal);

        using var removed = await Http.DeleteAsync(new Uri("api/v1/suppressions/gone@dest.example", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        Assert.StartsWith("250", await SmtpDialog.RcptReplyAsync(Node.SmtpEndpoint, "a@src.example", "gone@dest.example"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rcpt_ScopedOrExpired_AppliesOnlyWhereAndWhileItShould()
    {
        await SuppressAsync(new { address = "scoped@dest.example", reason = "unsubscribe", scope = "news.example" });
        await SuppressAsync(new { address = "lapsed@dest.example", expiresAt = DateTimeOffset.UtcNow.AddMinutes(-1) });

        Assert.StartsWith("550 5.7.1", await SmtpDialog.RcptReplyAsync(Node.SmtpEndpoint, "letters@news.example", "scoped@dest.example"), StringComparison.Ordinal);
        Assert.StartsWith("250", await SmtpDialog.RcptReplyAsync(Node.SmtpEndpoint, "orders@shop.example", "scoped@dest.example"), StringComparison.Ordinal);
        Assert.StartsWith("250", await SmtpDialog.RcptReplyAsync(Node.SmtpEndpoint, "orders@shop.example", "lapsed@dest.example"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_SomeRecipientsSuppressed_QueuesForTheOthersAndListsTheRejected()
    {
        await SuppressAsync(new { address = "complained@dest.example", reason = "complaint" });
        var token = Guid.NewGuid().ToString("N");

        using var partly = await Http.PostAsJsonAsync(new Uri("api/v1/messages", UriKind.Relative), new { from = "a@src.example", to = new[] { "complained@dest.example", "fine@dest.example" }, subject = token, text = "x" });
        using var fully = await Http.PostAsJsonAsync(new Uri("api/v1/messages", UriKind.Relative), new { from = "a@src.example", to = new[] { "complained@dest.example" }, text = "x" });

        Assert.Equal(HttpStatusCode.Accepted, partly.StatusCode);
        var answer = JsonDocument.Parse(await partly.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(1, answer.GetProperty("recipients").GetInt32());
        Assert.Equal("complained@dest.example", answer.GetProperty("rejected")[0].GetProperty("address").GetString());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, fully.StatusCode);
        var file = await DeliveryFixture.WaitForMessageAsync(Store, token);
        var envelope = await File.ReadAllTextAsync(Path.Combine(Store, "envelopes", Path.GetFileNameWithoutExtension(file) + ".json"));
        Assert.DoesNotContain("complained@", envelope, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delivery_RecipientSuppressedWhileQueued_IsNotMailedButBounced()
    {
        using (var suspend = await Http.PostAsJsonAsync(new Uri("api/v1/queue/suspensions", UriKind.Relative), new { destination = "later.example", minutes = 10 }))
        {
            Assert.True(suspend.IsSuccessStatusCode);
        }

        using var sent = await Http.PostAsJsonAsync(new Uri("api/v1/messages", UriKind.Relative), new { from = "a@src.example", to = new[] { "late@later.example" }, text = "x" });
        var id = JsonDocument.Parse(await sent.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        await SuppressAsync(new { address = "late@later.example", reason = "manual" });
        await _world.WaitHeldAsync(id!);
        using (var resume = await Http.DeleteAsync(new Uri("api/v1/queue/suspensions/later.example", UriKind.Relative)))
        {
            Assert.True(resume.IsSuccessStatusCode);
        }

        await Http.PostAsJsonAsync(new Uri("api/v1/queue/flush", UriKind.Relative), new { all = true });
        var view = await Poll.ForAsync(
            async () => JsonDocument.Parse(await Http.GetStringAsync(new Uri($"api/v1/messages/{id}", UriKind.Relative))).RootElement,
            m => NodeApi.RecipientStatus(m) == "bounced",
            TimeSpan.FromSeconds(30),
            $"{id} bounced");

        Assert.Contains("5.7.1", view.GetProperty("recipients")[0].GetProperty("lastReply").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Directory.Exists(Path.Combine(Store, "envelopes")) ? Directory.GetFiles(Path.Combine(Store, "envelopes")) : [], f => File.ReadAllText(f).Contains("late@later.example", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Csv_ImportThroughCliThenExport_RoundTripsAndReportsBadLines()
    {
        var csv = Path.Combine(_world.Folder, "list.csv");
        await File.WriteAllTextAsync(csv, "address,reason,scope,expires_at\r\none@csv.example,bounce,,\r\nnot-an-address,manual,,\r\ntwo@csv.example,unsubscribe,news.example,2099-01-01T00:00:00Z\r\n");

        var (code, output, _) = await SluiceProcess.RunAsync(["suppressions", "import", csv, "--api", Node.HttpBase.ToString(), "--key", Node.ApiKey!, "--json"]);

        Assert.Equal(0, code);
        var result = JsonDocument.Parse(output).RootElement;
        Assert.Equal(2, result.GetProperty("imported").GetInt32());
        Assert.Equal(3, result.GetProperty("errors")[0].GetProperty("line").GetInt32());
        var (exportCode, export, _) = await SluiceProcess.RunAsync(["suppressions", "export", "--api", Node.HttpBase.ToString(), "--key", Node.ApiKey!]);
        Assert.Equal(0, exportCode);
        Assert.Contains("one@csv.example,bounce,,", export, StringComparison.Ordinal);
        Assert.Contains("two@csv.example,unsubscribe,news.example,2099-01-01T00:00:00.0000000+00:00", export, StringComparison.Ordinal);
        Assert.StartsWith("550 5.7.1", await SmtpDialog.RcptReplyAsync(Node.SmtpEndpoint, "a@src.example", "one@csv.example"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_InvalidEntry_Is400Problem()
    {
        using var response = await Http.PostAsJsonAsync(new Uri("api/v1/suppressions", UriKind.Relative), new { address = "x@y.example", reason = "annoyed" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("reason 'annoyed'", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task SuppressAsync(object entry)
    {
        using var response = await Http.PostAsJsonAsync(new Uri("api/v1/suppressions", UriKind.Relative), entry);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

}
