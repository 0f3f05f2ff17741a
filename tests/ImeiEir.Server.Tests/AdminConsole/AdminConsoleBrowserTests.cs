using System.Text.Json;
using ImeiEir.Core;
using ImeiEir.Server.Tests.CheckPage;
using ImeiEir.Server.Tests.Lifecycle;
using OpenQA.Selenium;

namespace ImeiEir.Server.Tests.AdminConsole;

/// <summary>
/// The admin console in a real browser (issue 25, items 1 and 3): headless Debian chromium against a registry on
/// 127.0.0.1 (ports chosen at run time) with an admin, a reader and a node credential in its tokens file. One browser
/// for the fixture, its session storage cleared before each test. Each test saves a screenshot to the test results
/// (the README's are copies of some).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class AdminConsoleBrowserTests
{
    private ConsoleRegistry _registry = null!;
    private HeadlessChromium? _browser;
    private string _whyNoBrowser = "";

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _browser = HeadlessChromium.TryStart(out _whyNoBrowser, desktop: true);
        if (_browser is null) return;
        _registry = await ConsoleRegistry.StartAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _browser?.Dispose();
        if (_registry is not null) await _registry.DisposeAsync();
    }

    private IWebDriver Browser => (_browser ?? throw new InvalidOperationException()).Driver;

    private IJavaScriptExecutor Script => (IJavaScriptExecutor)Browser;

    [SetUp]
    public void OpenTheConsoleSignedOut()
    {
        if (_browser is null) Assert.Ignore(_whyNoBrowser);
        Browser.Navigate().GoToUrl(_registry.ConsolePage);
        Script.ExecuteScript("sessionStorage.clear();");
        Browser.Navigate().Refresh();
        Until(() => Shown("signin"), "the sign-in form shows");
    }

    [Test]
    public void An_admin_signs_in_with_a_named_credential_and_sees_its_name_and_role()
    {
        SignIn(_registry.AdminToken);

        Assert.That(Text("who-name"), Is.EqualTo(ConsoleRegistry.AdminName));
        Assert.That(Text("who-role"), Does.StartWith("admin"));
        Assert.That(Shown("tab-push"), Is.True, "an admin may push");
        Assert.That(StoredToken(), Is.EqualTo(_registry.AdminToken), "kept in sessionStorage");
        Assert.That(Script.ExecuteScript("return document.cookie;"), Is.EqualTo(""), "never in a cookie");
        Assert.That(Browser.Url, Does.Not.Contain(_registry.AdminToken), "never in the URL");
        _browser!.Screenshot("console-signed-in");
    }

    [Test]
    public void The_overview_shows_records_per_list_changes_per_day_the_outbox_the_followers_and_the_clones()
    {
        SignIn(_registry.AdminToken);

        Until(() => Shown("card-followers"), "the overview shows");
        Assert.That(int.Parse(Text("records-black"), System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThanOrEqualTo(1), "the seeded black IMEI");
        Assert.That(Browser.FindElements(By.CssSelector("#card-changes .bar")), Has.Count.EqualTo(14), "the last 14 days");
        Assert.That(Browser.FindElements(By.CssSelector("#card-changes .bar .fill")).Max(f => f.Size.Height), Is.GreaterThan(50),
            "today's bar is drawn (its height is set through the CSSOM, which the policy allows)");
        Assert.That(Browser.FindElements(By.CssSelector("#expiring .bar")), Has.Count.EqualTo(7), "grey deadlines, today and the next 6 days");
        Assert.That(Text("outbox-pending"), Is.EqualTo("0"));
        Assert.That(Browser.FindElements(By.CssSelector("#followers tbody tr")), Has.Count.GreaterThanOrEqualTo(1), "the all-in-one's own node follows the feed");
        Assert.That(Text("card-clones"), Does.StartWith("Suspected clones: 0"));
        FullPageScreenshot("console-overview");
    }

    [Test]
    public void Searching_an_IMEI_shows_its_record_and_its_history_with_actor_and_comment_as_text()
    {
        SignIn(_registry.AdminToken);
        Search(ConsoleRegistry.Stolen);

        Assert.That(Text("record-list"), Is.EqualTo("black"));
        Assert.That(Text("record-reason"), Is.EqualTo("stolen"));
        IWebElement history = Browser.FindElement(By.Id("history"));
        Assert.That(history.FindElements(By.CssSelector("tbody tr")), Has.Count.EqualTo(1));
        Assert.That(history.FindElement(By.CssSelector(".actor")).Text, Is.EqualTo(ConsoleRegistry.AdminName));
        Assert.That(history.FindElement(By.CssSelector(".comment")).Text, Is.EqualTo(ConsoleRegistry.SeedComment), "the comment as written, markup and all");
        Assert.That(history.FindElements(By.TagName("i")), Is.Empty, "the API's text is never parsed as HTML");
        Until(() => Browser.FindElements(By.CssSelector("#notices p, #notices table")).Count > 0, "the notices section answers");
        _browser!.Screenshot("console-search");
    }

    [TestCase("3500006100005", "is not an IMEI")]
    [TestCase("12ab", "is not an IMEI")]
    public void A_bad_IMEI_is_answered_with_the_registrys_own_error_text(string imei, string expected)
    {
        SignIn(_registry.ReaderToken);
        Browser.FindElement(By.CssSelector("button[data-view=search]")).Click();
        Type("imei", imei);
        Browser.FindElement(By.Id("search")).Click();

        Until(() => Shown("search-error"), "an error shows");
        Assert.That(Text("search-error"), Does.Contain(expected));
        Assert.That(Shown("who"), Is.True, "a bad IMEI does not sign anyone out");
    }

    [Test]
    public async Task A_dry_run_with_a_bad_line_shows_its_line_number_and_reason_and_writes_nothing()
    {
        string good = Luhn.With("35000061000029");
        SignIn(_registry.AdminToken);

        DryRun($"op,imei,list,reason\nset,{good},black,stolen\nset,12345,black,stolen\n");

        Assert.That(Text("count-applied"), Is.EqualTo("1"));
        Assert.That(Text("count-rejected"), Is.EqualTo("1"));
        IWebElement bad = Browser.FindElement(By.CssSelector("#bad-lines li"));
        Assert.That(bad.GetDomAttribute("data-line"), Is.EqualTo("3"), "the header is line 1");
        Assert.That(bad.Text, Does.StartWith("Line 3: "));
        Assert.That(Shown("apply-box"), Is.False, "an atomic delta with a bad line cannot be applied");
        _browser!.Screenshot("console-dry-run");

        (int status, string body, HttpResponseMessage response) = await _registry.GetAsync($"v1/imei/{good}", _registry.AdminToken);
        response.Dispose();
        Assert.That(status, Is.EqualTo(404), $"a dry run writes nothing: {body}");
    }

    [Test]
    public void Applying_after_a_dry_run_needs_a_comment_and_the_change_shows_in_the_history()
    {
        string imei = Luhn.With("35000061000037");
        SignIn(_registry.AdminToken);
        DryRun($"op,imei,list,reason\nset,{imei},black,counterfeit\n");
        Assert.That(Shown("apply-box"), Is.True, "the apply step shows after a clean dry run");

        Browser.FindElement(By.Id("apply")).Click();
        Until(() => Shown("push-error"), "a missing comment is refused");
        Assert.That(Text("push-error"), Does.Contain("comment is required"));

        Type("delta-comment", "lost at the airport, ticket 4411");
        Browser.FindElement(By.Id("apply")).Click();
        WaitForTheApplysReport();
        Assert.That(Text("count-applied"), Is.EqualTo("1"));
        Assert.That(Text("push-report"), Does.Not.Contain("null").And.Not.Contain("undefined"), "no placeholder of the script shows");
        _browser!.Screenshot("console-apply");

        Search(imei);
        Assert.That(Text("record-reason"), Is.EqualTo("counterfeit"));
        Assert.That(Browser.FindElement(By.CssSelector("#history .actor")).Text, Is.EqualTo(ConsoleRegistry.AdminName));
        Assert.That(Browser.FindElement(By.CssSelector("#history .comment")).Text, Is.EqualTo("lost at the airport, ticket 4411"));
        _browser.Screenshot("console-history");
    }

    [Test]
    public async Task An_apply_retried_after_a_lost_answer_carries_the_same_idempotency_key_and_applies_once()
    {
        string imei = Luhn.With("35000061000045");
        SignIn(_registry.AdminToken);
        DryRun($"op,imei,list,reason\nset,{imei},black,stolen\n");
        // The first apply reaches the registry, but its answer is lost on the way back (as a dropped connection).
        Script.ExecuteScript("""
            window.applyKeys = [];
            const realFetch = window.fetch;
            let lose = true;
            window.fetch = async (url, init) => {
              if (!String(url).startsWith('/v1/deltas') || String(url).includes('dryRun')) return realFetch(url, init);
              window.applyKeys.push(init.headers['Idempotency-Key']);
              const answer = await realFetch(url, init);
              if (lose) { lose = false; throw new TypeError('connection reset'); }
              return answer;
            };
            """);
        Type("delta-comment", "retry test");

        Browser.FindElement(By.Id("apply")).Click();
        Until(() => Shown("push-error"), "the lost answer is reported");
        Assert.That(Text("push-error"), Does.Contain("could not be reached"));
        Browser.FindElement(By.Id("apply")).Click();
        WaitForTheApplysReport();

        var keys = ((IReadOnlyCollection<object>)Script.ExecuteScript("return window.applyKeys;")!).Select(k => (string)k).ToArray();
        Assert.That(keys, Has.Length.EqualTo(2));
        Assert.That(keys[1], Is.EqualTo(keys[0]).And.Match("^[0-9a-f-]{36}$"), "the retry carries the first apply's key");
        (int status, string body, HttpResponseMessage response) = await _registry.GetAsync($"v1/imei/{imei}", _registry.AdminToken);
        response.Dispose();
        Assert.That(status, Is.EqualTo(200), body);
        Assert.That(JsonDocument.Parse(body).RootElement.GetProperty("history").GetArrayLength(), Is.EqualTo(1), "applied once");
    }

    [Test]
    public void A_reader_searches_but_sees_no_push_form()
    {
        SignIn(_registry.ReaderToken);

        Assert.That(Text("who-name"), Is.EqualTo(ConsoleRegistry.ReaderName));
        Assert.That(Text("who-role"), Does.StartWith("reader"));
        Assert.That(Shown("tab-push"), Is.False);
        Assert.That(Shown("view-push"), Is.False);
        Search(ConsoleRegistry.Stolen);
        Assert.That(Text("record-list"), Is.EqualTo("black"));
        Until(() => Browser.FindElements(By.CssSelector("#notices p, #notices table")).Count > 0, "the notices section answers");
        Assert.That(Shown("notices-error"), Is.False, "a named reader reads the notices too (readers see, admins change)");
        _browser!.Screenshot("console-reader");
    }

    [Test]
    public void The_generated_reader_token_is_told_that_notices_need_an_admin_and_stays_signed_in()
    {
        SignIn(ConsoleRegistry.DefaultReaderToken);

        Search(ConsoleRegistry.Stolen);

        Until(() => Shown("notices-error"), "the notices section answers");
        Assert.That(Text("notices-error"), Does.Contain("need an admin or a named reader credential"));
        Assert.That(Shown("who"), Is.True, "refused the notices only, not signed out");
    }

    [Test]
    public void Signing_out_forgets_the_token()
    {
        SignIn(_registry.AdminToken);

        Browser.FindElement(By.Id("sign-out")).Click();

        Until(() => Shown("signin"), "the sign-in form shows again");
        Assert.That(StoredToken(), Is.Null);
        Assert.That(Shown("app"), Is.False);
        Assert.That(Text("notice"), Does.Contain("signed out"));
        Browser.Navigate().Refresh();
        Until(() => Shown("signin"), "a reload stays signed out");
        Assert.That(Shown("who"), Is.False);
    }

    [Test]
    public void A_credential_revoked_meanwhile_is_refused_on_the_next_action_and_signed_out()
    {
        string token = _registry.AddCredential("temp-admin", CredentialRole.Admin);
        SignIn(token);
        Browser.FindElement(By.CssSelector("button[data-view=search]")).Click();

        _registry.Revoke("temp-admin");
        Type("imei", ConsoleRegistry.Stolen);
        Browser.FindElement(By.Id("search")).Click();

        Until(() => Shown("signin"), "the console signs out");
        Assert.That(Text("notice"), Does.Contain("revoked"));
        Assert.That(StoredToken(), Is.Null);
        Assert.That(Shown("app"), Is.False, "nothing of the registry stays on screen");
        _browser!.Screenshot("console-revoked");
    }

    [Test]
    public void A_reload_keeps_the_session_until_the_credential_is_revoked_then_says_why_on_the_sign_in_form()
    {
        string token = _registry.AddCredential("reload-admin", CredentialRole.Admin);
        SignIn(token);

        Browser.Navigate().Refresh();
        Until(() => Shown("who"), "the session survives a reload of the tab");
        Assert.That(Text("who-name"), Is.EqualTo("reload-admin"));

        _registry.Revoke("reload-admin");
        Browser.Navigate().Refresh();
        Until(() => Shown("signin-error"), "the sign-in form says why");
        Assert.That(Text("signin-error"), Does.Contain("does not know this token"));
        Assert.That(Shown("signin"), Is.True);
        Assert.That(StoredToken(), Is.Null);
    }

    [Test]
    public void A_node_credential_and_an_unknown_token_are_refused_at_sign_in()
    {
        SignIn(_registry.NodeToken, expectSuccess: false);
        Assert.That(Text("signin-error"), Does.Contain("node credential"));
        Assert.That(Shown("who"), Is.False);
        Assert.That(StoredToken(), Is.Null);

        SignIn("not-a-token", expectSuccess: false);
        Assert.That(Text("signin-error"), Does.Contain("does not know this token"));
        Assert.That(StoredToken(), Is.Null);
    }

    private void SignIn(string token, bool expectSuccess = true)
    {
        Type("token", token);
        Browser.FindElement(By.Id("sign-in")).Click();
        Until(() => Shown("who") || Shown("signin-error"), "the sign-in is answered");
        if (expectSuccess) Assert.That(Shown("who"), Is.True, Text("signin-error"));
    }

    /// <summary>Opens the push form, pastes <paramref name="csv"/> and runs it dry; returns once the report shows.</summary>
    private void DryRun(string csv)
    {
        Browser.FindElement(By.CssSelector("button[data-view=push]")).Click();
        Until(() => Shown("view-push"), "the push form shows");
        Type("delta-text", csv);
        Browser.FindElement(By.Id("dry-run")).Click();
        Until(() => Shown("push-summary"), "the dry run's report shows");
    }

    private void WaitForTheApplysReport() =>
        Until(() => Browser.FindElements(By.CssSelector("#push-summary[data-kind=applied]")).Count == 1, "the apply's report shows");

    private void Search(string imei)
    {
        Browser.FindElement(By.CssSelector("button[data-view=search]")).Click();
        Type("imei", imei);
        Browser.FindElement(By.Id("search")).Click();
        Until(() => Shown("record-list") || Shown("search-error"), "the search is answered");
        Assert.That(Shown("search-error"), Is.False, Shown("search-error") ? Text("search-error") : "");
    }

    /// <summary>A screenshot of the whole page: the window grows to the page's height for it, then goes back.</summary>
    private void FullPageScreenshot(string name)
    {
        System.Drawing.Size before = Browser.Manage().Window.Size;
        long height = (long)Script.ExecuteScript("return document.documentElement.scrollHeight;")!;
        Browser.Manage().Window.Size = new System.Drawing.Size(before.Width, (int)Math.Min(height + 150, 4000));
        _browser!.Screenshot(name);
        Browser.Manage().Window.Size = before;
    }

    private void Type(string id, string text)
    {
        IWebElement input = Browser.FindElement(By.Id(id));
        input.Clear();
        input.SendKeys(text);
    }

    private string? StoredToken() => (string?)Script.ExecuteScript("return sessionStorage.getItem('imeieir.console.token');");

    private string Text(string id) => Browser.FindElement(By.Id(id)).Text;

    private bool Shown(string id) => Browser.FindElements(By.Id(id)) is { Count: > 0 } found && found[0].Displayed;

    /// <summary>
    /// Waits (at most 15 s, polling) until the page's script has done what <paramref name="what"/> says; on a timeout
    /// the error lines the page shows are in the message.
    /// </summary>
    private void Until(Func<bool> condition, string what)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(15);
        for (int i = 0; i < 1_500 && DateTime.UtcNow < deadline; i++)
        {
            try
            {
                if (condition()) return;
            }
            catch (StaleElementReferenceException)
            {
                // The script replaced the element between finding and reading it: look again.
            }
            Thread.Sleep(10);
        }
        string errors = string.Join(" | ", Browser.FindElements(By.CssSelector(".error, .notice")).Where(e => e.Displayed).Select(e => e.Text));
        throw new WebDriverTimeoutException($"waited 15 s for: {what}; the page says: {errors}");
    }
}
