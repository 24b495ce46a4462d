using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpenQA.Selenium;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>
/// The web dashboard in a real headless Chromium against a delivering node: sign in, rates after
/// mail, a search and a message's timeline, suspend and resume a destination. Each page is saved
/// to docs/screenshots/ (laptop size, and the overview at phone size).
/// </summary>
public sealed class DashboardTests(DeliveryFixture world) : IClassFixture<DeliveryFixture>, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly string Screenshots = Path.Combine(RepositoryPaths.Root, "docs", "screenshots");
    private readonly ChromiumBrowser _browser = new();

    private IWebDriver Web => _browser.Web;

    public void Dispose() => _browser.Dispose();

    [Fact]
    public async Task SignIn_WrongKeyThenRightKey_RefusedThenOverview()
    {
        _browser.Go(new Uri(world.Node.HttpBase, "ui/queue"));
        Assert.Contains("/ui/login", Web.Url, StringComparison.Ordinal);
        _browser.Screenshot(Path.Combine(Screenshots, "login.png"));

        Web.FindElement(By.Id("key")).SendKeys("sk_nope_nothing");
        Web.FindElement(By.Id("sign-in")).Click();
        await Poll.UntilAsync(() => Task.FromResult(Web.FindElements(By.CssSelector("[role=alert]")).Count > 0), TimeSpan.FromSeconds(30), "the refusal");
        Assert.Contains("unknown, malformed or revoked", Web.FindElement(By.CssSelector("[role=alert]")).Text, StringComparison.Ordinal);

        Web.FindElement(By.Id("key")).SendKeys(world.Node.ApiKey!);
        Web.FindElement(By.Id("sign-in")).Click();
        await _browser.WaitForUrlAsync(url => url.EndsWith("/ui/queue", StringComparison.Ordinal), "the page asked for before signing in");
        Assert.Equal("Queue", Web.FindElement(By.TagName("h1")).Text);

        Web.FindElement(By.CssSelector("form.logout button")).Click();
        await _browser.WaitForUrlAsync(url => url.Contains("/ui/login", StringComparison.Ordinal), "the sign-in page after signing out");
        _browser.Go(new Uri(world.Node.HttpBase, "ui"));
        Assert.Contains("/ui/login", Web.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Overview_AfterSendingMail_ShowsDeliveredRates()
    {
        using var http = world.Node.CreateHttpClient();
        for (var i = 0; i < 3; i++)
        {
            await WaitDeliveredAsync(http, await SendAsync(http, $"rates-{i}@example.test", "Rates"));
        }

        await SignInAsync();
        _browser.Go(new Uri(world.Node.HttpBase, "ui"));
        Assert.True(long.Parse(Web.FindElement(By.Id("count-delivered")).Text.Replace(",", string.Empty, StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture) >= 3);
        Assert.True(long.Parse(Web.FindElement(By.Id("count-received")).Text.Replace(",", string.Empty, StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture) >= 3);
        Assert.NotEmpty(Web.FindElements(By.CssSelector("svg polyline.delivered")));
        _browser.Screenshot(Path.Combine(Screenshots, "overview.png"));

        _browser.Resize(390, 844);
        _browser.Go(new Uri(world.Node.HttpBase, "ui"));
        Assert.True(Web.FindElement(By.Id("count-delivered")).Displayed);
        _browser.Screenshot(Path.Combine(Screenshots, "overview-phone.png"));
    }

    [Fact]
    public async Task Messages_SearchBySubject_OpensTheTimeline()
    {
        using var http = world.Node.CreateHttpClient();
        var subject = "Dashboard " + Guid.NewGuid().ToString("N")[..8];
        var id = await SendAsync(http, "timeline-ui@example.test", subject);
        await WaitDeliveredAsync(http, id);

        await SignInAsync();
        _browser.Go(new Uri(world.Node.HttpBase, "ui/messages"));
        Web.FindElement(By.Name("subject")).SendKeys(subject);
        Web.FindElement(By.Id("search")).Click();
        await _browser.WaitForUrlAsync(url => url.Contains("subject=", StringComparison.Ordinal), "the search results");
        var link = Web.FindElement(By.CssSelector($"a.message-link[data-id='{id}']"));
        _browser.Screenshot(Path.Combine(Screenshots, "messages.png"));
        link.Click();
        await _browser.WaitForUrlAsync(url => url.EndsWith($"/ui/messages/{id}", StringComparison.Ordinal), "the message page");

        Assert.EndsWith($"/ui/messages/{id}", Web.Url, StringComparison.Ordinal);
        var events = Web.FindElements(By.CssSelector("#timeline tbody tr")).Select(r => r.FindElements(By.TagName("td"))[1].Text).ToList();
        Assert.Equal(["received", "delivered"], events);
        Assert.Contains("250", Web.FindElement(By.Id("recipients")).Text, StringComparison.Ordinal);
        _browser.Screenshot(Path.Combine(Screenshots, "message.png"));
    }

    [Fact]
    public async Task Queue_SuspendThenResume_MailHeldThenDelivered()
    {
        using var http = world.Node.CreateHttpClient();
        await SignInAsync();
        _browser.Go(new Uri(world.Node.HttpBase, "ui/queue"));
        var form = Web.FindElement(By.CssSelector("form[action='/ui/queue/suspend']:not(:has(input[type=hidden]))"));
        form.FindElement(By.Name("destination")).SendKeys("example.test");
        form.FindElement(By.TagName("button")).Click();
        await _browser.WaitForUrlAsync(url => url.Contains("notice=", StringComparison.Ordinal), "the queue page after suspending");
        Assert.Contains("Suspended example.test", Web.FindElement(By.CssSelector(".notice")).Text, StringComparison.Ordinal);
        var suspended = await http.GetFromJsonAsync<JsonElement>(new Uri("api/v1/queue/suspensions", UriKind.Relative));
        Assert.True(suspended.TryGetProperty("example.test", out _));

        // Mail for it now waits in the queue, held, and the page counts it.
        var id = await SendAsync(http, "held-ui@example.test", "Held");
        await Poll.UntilAsync(
            async () => (await http.GetFromJsonAsync<JsonElement>(new Uri($"api/v1/messages/{id}", UriKind.Relative))).GetProperty("state").GetString() == "held",
            Patience,
            "the message held");
        _browser.Go(new Uri(world.Node.HttpBase, "ui/queue"));
        var row = Web.FindElement(By.CssSelector("tr[data-destination='example.test']"));
        Assert.Equal("1", row.FindElements(By.TagName("td"))[1].Text);
        _browser.Screenshot(Path.Combine(Screenshots, "queue.png"));

        row.FindElement(By.CssSelector("form[action='/ui/queue/resume'] button")).Click();
        await _browser.WaitForUrlAsync(url => url.Contains("Resumed", StringComparison.Ordinal), "the queue page after resuming");
        Assert.Contains("Resumed example.test", Web.FindElement(By.CssSelector(".notice")).Text, StringComparison.Ordinal);
        await WaitDeliveredAsync(http, id);
    }

    [Fact]
    public async Task PoolsAndDeliverability_Render_WithTheirTables()
    {
        await SignInAsync();
        _browser.Go(new Uri(world.Node.HttpBase, "ui/pools"));
        Assert.Equal("Relay pools", Web.FindElement(By.TagName("h1")).Text);
        Assert.True(Web.FindElement(By.Id("no-pools")).Displayed);
        _browser.Screenshot(Path.Combine(Screenshots, "pools.png"));

        _browser.Go(new Uri(world.Node.HttpBase, "ui/deliverability"));
        Assert.Equal("Deliverability", Web.FindElement(By.TagName("h1")).Text);
        Assert.NotNull(Web.FindElement(By.Id("bounce-rate")));
        _browser.Screenshot(Path.Combine(Screenshots, "deliverability.png"));
    }

    [Fact]
    public async Task Deliverability_PausedSender_ListedAndResumedFromThePage()
    {
        using var http = world.Node.CreateHttpClient();
        using (var paused = await http.PostAsJsonAsync(new Uri("api/v1/senders/pauses", UriKind.Relative), new { sender = "tag:ui-campaign", minutes = 30, reason = "checking the list" }))
        {
            Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        }

        await SignInAsync();
        _browser.Go(new Uri(world.Node.HttpBase, "ui/deliverability"));
        var row = Web.FindElement(By.Id("paused")).FindElements(By.CssSelector("tbody tr")).Single(r => r.Text.Contains("tag:ui-campaign", StringComparison.Ordinal));
        Assert.Contains("checking the list", row.Text, StringComparison.Ordinal);
        Assert.NotNull(Web.FindElement(By.Id("senders")));
        row.FindElement(By.CssSelector("form[action='/ui/deliverability/resume'] button")).Click();
        await _browser.WaitForUrlAsync(url => url.Contains("notice=", StringComparison.Ordinal), "the deliverability page after resuming");
        Assert.Contains("Resumed tag:ui-campaign", Web.FindElement(By.CssSelector(".notice")).Text, StringComparison.Ordinal);
        var pauses = await http.GetFromJsonAsync<JsonElement>(new Uri("api/v1/senders/pauses", UriKind.Relative));
        Assert.DoesNotContain(pauses.GetProperty("items").EnumerateArray(), p => p.GetProperty("sender").GetString() == "tag:ui-campaign");

        _browser.Go(new Uri(world.Node.HttpBase, "ui/queue"));
        Assert.NotNull(Web.FindElement(By.Id("reply-shaping")));
    }

    [Fact]
    public async Task ChangeFromElsewhere_WithoutSession_RedirectedAndForeignOriginRefused()
    {
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = world.Node.HttpBase };
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["destination"] = "x.test" });
        using var noSession = await anonymous.PostAsync(new Uri("ui/queue/suspend", UriKind.Relative), form);
        Assert.Equal(HttpStatusCode.Redirect, noSession.StatusCode);
        Assert.Equal("/ui/login", noSession.Headers.Location?.ToString());

        await SignInAsync();
        var cookie = Web.Manage().Cookies.GetCookieNamed("sluice_session") ?? throw new InvalidOperationException("no session cookie after signing in");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("ui/queue/suspend", UriKind.Relative)) { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["destination"] = "x.test" }) };
        request.Headers.Add("Cookie", $"sluice_session={cookie.Value}");
        request.Headers.Add("Origin", "https://evil.example");
        using var foreign = await anonymous.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Contains("default-src 'none'", foreign.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    private async Task SignInAsync()
    {
        _browser.Go(new Uri(world.Node.HttpBase, "ui/login"));
        Web.FindElement(By.Id("key")).SendKeys(world.Node.ApiKey!);
        Web.FindElement(By.Id("sign-in")).Click();
        await _browser.WaitForUrlAsync(url => !url.Contains("/ui/login", StringComparison.Ordinal), "the page after signing in");
    }

    private static async Task<string> SendAsync(HttpClient http, string to, string subject)
    {
        using var response = await http.PostAsJsonAsync(new Uri("api/v1/messages", UriKind.Relative), new { from = "ui@dashboard.example", to = new[] { to }, subject, text = "hello" });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private static Task<JsonElement> WaitDeliveredAsync(HttpClient http, string id)
        => Poll.ForAsync(
            () => http.GetFromJsonAsync<JsonElement>(new Uri($"api/v1/messages/{id}", UriKind.Relative)),
            m => m.TryGetProperty("recipients", out var r) && r.ValueKind == JsonValueKind.Array && r.GetArrayLength() > 0 && r[0].GetProperty("status").GetString() == "delivered",
            Patience,
            $"{id} delivered");
}
