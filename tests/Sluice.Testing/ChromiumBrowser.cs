using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace Sluice.Testing;

/// <summary>
/// Debian's chromium, headless, driven through Debian's chromedriver (both from ./build.sh test),
/// with a profile in a temp folder; the driver and browser are stopped when disposed.
/// </summary>
public sealed class ChromiumBrowser : IDisposable
{
    private const string Driver = "/usr/bin/chromedriver";
    private const string Browser = "/usr/bin/chromium";
    private readonly TempDirectory _profile = new();

    public ChromiumBrowser()
    {
        if (!File.Exists(Driver) || !File.Exists(Browser))
        {
            throw new InvalidOperationException("chromium and chromium-driver are not installed: run ./build.sh test");
        }

        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(Driver)!, Path.GetFileName(Driver));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = Browser };
        // Root in a container has no user namespace for the sandbox.
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1200", "--hide-scrollbars", $"--user-data-dir={_profile.Path}", "--no-first-run", "--disable-extensions");
        Web = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
        Web.Manage().Timeouts().PageLoad = TimeSpan.FromSeconds(30);
    }

    public IWebDriver Web { get; }

    public void Go(Uri url) => Web.Navigate().GoToUrl(url);

    /// <summary>Waits (through <see cref="Poll"/>) until the page shown is at a URL that <paramref name="accept"/> takes: a click that submits a form returns before the next page is there.</summary>
    public Task WaitForUrlAsync(Func<string, bool> accept, string what)
        => Poll.UntilAsync(() => Task.FromResult(accept(Web.Url)), TimeSpan.FromSeconds(30), what, () => "at " + Web.Url);

    /// <summary>Sets the viewport's outer size (phone or laptop).</summary>
    public void Resize(int width, int height) => Web.Manage().Window.Size = new System.Drawing.Size(width, height);

    /// <summary>A PNG of the window as shown, written to <paramref name="path"/>.</summary>
    public void Screenshot(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        ((ITakesScreenshot)Web).GetScreenshot().SaveAsFile(path);
    }

    public void Dispose()
    {
        Web.Quit();
        Web.Dispose();
        _profile.Dispose();
    }
}
