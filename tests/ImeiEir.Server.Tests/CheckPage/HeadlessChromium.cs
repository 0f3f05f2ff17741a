using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Chromium;

namespace ImeiEir.Server.Tests.CheckPage;

/// <summary>
/// Debian's chromium (<c>/usr/bin/chromium</c>) driven through its chromium-driver (<c>/usr/bin/chromedriver</c>),
/// headless, in a phone-sized window, with every background service that would call out to the Internet turned off:
/// the tests only ever open 127.0.0.1. One per fixture (a browser start costs about a second). tests/run.sh installs
/// both packages; where the browser still cannot start, <see cref="TryStart"/> says why and the fixture's tests are
/// reported skipped (Assert.Ignore), which tests/run.sh counts as failed, never as passed.
/// </summary>
internal sealed class HeadlessChromium : IDisposable
{
    public const string BrowserPath = "/usr/bin/chromium";
    public const string DriverPath = "/usr/bin/chromedriver";

    /// <summary>A mid-sized phone's CSS viewport (width × height in CSS pixels).</summary>
    public const int PhoneWidth = 412, PhoneHeight = 915;

    /// <summary>A laptop's window (CSS pixels), for the admin console.</summary>
    public const int DesktopWidth = 1280, DesktopHeight = 900;

    private HeadlessChromium(ChromeDriver driver) => Driver = driver;

    public ChromeDriver Driver { get; }

    /// <summary>Starts the browser in a phone's viewport, or with <paramref name="desktop"/> in a laptop's window.</summary>
    public static HeadlessChromium? TryStart(out string why, bool desktop = false)
    {
        if (!File.Exists(BrowserPath) || !File.Exists(DriverPath))
        {
            why = $"{BrowserPath} or {DriverPath} is missing (Debian packages chromium and chromium-driver; tests/run.sh installs them)";
            return null;
        }
        // Never let Selenium Manager look for or download a driver: the driver is given.
        Environment.SetEnvironmentVariable("SE_OFFLINE", "true");
        ChromeDriverService service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(DriverPath)!, Path.GetFileName(DriverPath));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = BrowserPath };
        options.AddArguments(
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            desktop ? $"--window-size={DesktopWidth},{DesktopHeight}" : $"--window-size={PhoneWidth},{PhoneHeight}",
            "--no-first-run", "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-default-apps", "--disable-extensions", "--metrics-recording-only", "--disable-breakpad",
            "--lang=en-US");
        // A desktop window is at least 500 pixels wide: the phone's viewport is emulated instead.
        if (!desktop) options.EnableMobileEmulation(new ChromiumMobileEmulationDeviceSettings
        {
            Width = PhoneWidth, Height = PhoneHeight, PixelRatio = 1, EnableTouchEvents = true,
            UserAgent = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Mobile Safari/537.36",
        });
        try
        {
            var driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
            driver.Manage().Timeouts().PageLoad = TimeSpan.FromSeconds(30);
            // Read after a navigation completed (ClickAndWaitForNavigation): an element is there or it is not.
            driver.Manage().Timeouts().ImplicitWait = TimeSpan.Zero;
            why = "";
            return new HeadlessChromium(driver);
        }
        catch (Exception e) when (e is WebDriverException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            service.Dispose();
            why = $"chromium could not start headless through {DriverPath}: {e.GetType().Name}: {e.Message.Split('\n')[0]}";
            return null;
        }
    }

    /// <summary>
    /// Clicks <paramref name="element"/>, which navigates, and waits (at most 10 s) until the old document is gone,
    /// so what is read next is the new page, not the one clicked on.
    /// </summary>
    public void ClickAndWaitForNavigation(IWebElement element)
    {
        IWebElement oldDocument = Driver.FindElement(By.TagName("html"));
        element.Click();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        for (int i = 0; i < 1_000 && DateTime.UtcNow < deadline; i++)
        {
            try
            {
                _ = oldDocument.Enabled;
            }
            catch (StaleElementReferenceException)
            {
                return;
            }
            catch (UnknownErrorException e) when (e.Message.Contains("does not belong to the document", StringComparison.Ordinal))
            {
                // Chromium's other answer for an element of a document that is being replaced: gone as well.
                return;
            }
            Thread.Sleep(10);
        }
        throw new WebDriverTimeoutException("the click did not navigate within 10 s");
    }

    /// <summary>Saves the page as it looks now to the test's results (an attachment of the TRX) and returns the file.</summary>
    public string Screenshot(string name)
    {
        string directory = Path.Combine(TestContext.CurrentContext.WorkDirectory, "screenshots");
        Directory.CreateDirectory(directory);
        string file = Path.Combine(directory, name + ".png");
        Driver.GetScreenshot().SaveAsFile(file);
        TestContext.AddTestAttachment(file, name);
        return file;
    }

    public void Dispose()
    {
        Driver.Quit();
        Driver.Dispose();
    }
}
