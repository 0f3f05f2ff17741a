using OpenQA.Selenium;

namespace ImeiEir.Server.Tests.CheckPage;

/// <summary>
/// The check page in a real browser (issue 25, item 3): a person types an IMEI into the form and reads the verdict.
/// Headless Debian chromium against an all-in-one server on 127.0.0.1 (ports chosen at run time); one browser for
/// the fixture. Each test saves a screenshot to the test results (the README's is one of them, copied in).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class CheckPageBrowserTests
{
    private CheckPageNode _node = null!;
    private HeadlessChromium? _browser;
    private string _whyNoBrowser = "";

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _browser = HeadlessChromium.TryStart(out _whyNoBrowser);
        if (_browser is null) return;
        _node = await CheckPageNode.StartAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _browser?.Dispose();
        if (_node is not null) await _node.DisposeAsync();
    }

    private IWebDriver Browser => (_browser ?? throw new InvalidOperationException()).Driver;

    [SetUp]
    public void NeedsTheBrowser()
    {
        if (_browser is null) Assert.Ignore(_whyNoBrowser);
    }

    /// <summary>Opens the bare page in English, types the IMEI, submits, and returns the verdict shown.</summary>
    private IWebElement Check(string imei)
    {
        Browser.Navigate().GoToUrl(new Uri(_node.CheckPage, "?lang=en"));
        IWebElement input = Browser.FindElement(By.Id("imei"));
        input.Clear();
        input.SendKeys(imei);
        _browser!.ClickAndWaitForNavigation(Browser.FindElement(By.CssSelector("form button[type=submit]")));
        return Browser.FindElement(By.Id("result"));
    }

    [Test]
    public void A_white_IMEI_shows_that_it_will_work_and_its_maker()
    {
        IWebElement result = Check(CheckPageNode.White);

        Assert.That(result.GetDomAttribute("data-verdict"), Is.EqualTo("white"));
        Assert.That(Browser.FindElement(By.Id("verdict")).Text, Does.StartWith("On the white list: it will work"));
        Assert.That(Browser.FindElement(By.Id("manufacturer")).Text, Is.EqualTo("Acme <Phones> & Co"), "escaped in the HTML, shown as is");
        Assert.That(Browser.FindElement(By.Id("checked-imei")).Text, Is.EqualTo(CheckPageNode.White));
        AssertFitsThePhone();
        _browser!.Screenshot("check-page-white");
    }

    [Test]
    public void A_black_IMEI_shows_that_it_is_reported_stolen()
    {
        IWebElement result = Check(CheckPageNode.Black);

        Assert.That(result.GetDomAttribute("data-verdict"), Is.EqualTo("black"));
        Assert.That(Browser.FindElement(By.Id("verdict")).Text, Does.StartWith("On the black list: reported stolen or lost."));
        AssertFitsThePhone();
        _browser!.Screenshot("check-page-black");
    }

    [Test]
    public void An_unknown_IMEI_shows_that_it_is_not_registered_and_the_language_links_switch_the_verdict()
    {
        IWebElement result = Check(CheckPageNode.Unknown);

        Assert.That(result.GetDomAttribute("data-verdict"), Is.EqualTo("unknown"));
        Assert.That(Browser.FindElement(By.Id("verdict")).Text, Does.StartWith("Not registered."));
        _browser!.Screenshot("check-page-unknown");

        _browser.ClickAndWaitForNavigation(Browser.FindElement(By.LinkText("Русский")));
        Assert.That(Browser.FindElement(By.Id("verdict")).Text, Does.StartWith("Устройство не зарегистрировано."));
        Assert.That(Browser.FindElement(By.Id("imei")).GetDomProperty("value"), Is.EqualTo(CheckPageNode.Unknown), "the IMEI stays in the form");
        AssertFitsThePhone();
        _browser.Screenshot("check-page-unknown-ru");
    }

    /// <summary>Readable on a phone: nothing is wider than the phone's viewport, so nobody scrolls sideways.</summary>
    private void AssertFitsThePhone()
    {
        var js = (IJavaScriptExecutor)Browser;
        long viewport = (long)js.ExecuteScript("return window.innerWidth;")!;
        long content = (long)js.ExecuteScript("return document.documentElement.scrollWidth;")!;
        Assert.That(viewport, Is.LessThanOrEqualTo(HeadlessChromium.PhoneWidth), $"the window is phone-sized ({viewport} CSS pixels wide)");
        Assert.That(content, Is.LessThanOrEqualTo(viewport), "the page is no wider than the phone's screen");
    }
}
