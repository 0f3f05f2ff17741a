using System.Text.RegularExpressions;

namespace ImeiEir.Server.Tests.AdminConsole;

/// <summary>
/// The console as files on the wire (no browser): where it is served, and the headers that keep a page holding an
/// admin's token safe (issue 25, item 1).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed partial class AdminConsoleHttpTests
{
    private ConsoleRegistry _registry = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _registry = await ConsoleRegistry.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _registry.DisposeAsync();

    [TestCase("admin")]
    [TestCase("admin/")]
    [TestCase("admin/console.js")]
    [TestCase("admin/console.css")]
    public async Task The_console_is_served_on_the_registry_port_with_a_strict_content_security_policy(string path)
    {
        (int status, string body, HttpResponseMessage response) = await _registry.GetAsync(path);
        using (response)
        {
            Assert.That(status, Is.EqualTo(200), body);
            string csp = response.Headers.GetValues("Content-Security-Policy").Single();
            Assert.That(csp, Does.Contain("default-src 'self'"));
            Assert.That(csp, Does.Contain("script-src 'self'").And.Not.Contain("unsafe-inline").And.Not.Contain("unsafe-eval"));
            Assert.That(csp, Does.Contain("frame-ancestors 'none'"));
            Assert.That(response.Headers.GetValues("X-Frame-Options").Single(), Is.EqualTo("DENY"));
            Assert.That(response.Headers.GetValues("X-Content-Type-Options").Single(), Is.EqualTo("nosniff"));
            Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
        }
    }

    [Test]
    public async Task The_page_has_no_inline_script_no_inline_handler_and_nothing_from_another_origin()
    {
        (int status, string html, HttpResponseMessage response) = await _registry.GetAsync("admin");
        response.Dispose();

        Assert.That(status, Is.EqualTo(200));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
        Assert.That(ScriptTag().Matches(html).Select(m => m.Value), Is.Not.Empty.And.All.Contain("src=\"/admin/"), "scripts come from the console's own files");
        Assert.That(InlineHandler().IsMatch(html), Is.False, "no onclick= and the like (the policy would block them)");
        Assert.That(html, Does.Not.Contain("http://").And.Not.Contain("https://").And.Not.Contain("//cdn"), "nothing from elsewhere: it works offline");
    }

    [Test]
    public async Task An_unknown_console_file_is_404_and_a_path_outside_it_is_not_served()
    {
        (int status, _, HttpResponseMessage response) = await _registry.GetAsync("admin/nothing.js");
        response.Dispose();
        (int traversal, _, HttpResponseMessage response2) = await _registry.GetAsync("admin/..%2Fappsettings.json");
        response2.Dispose();

        Assert.That(status, Is.EqualTo(404));
        Assert.That(traversal, Is.EqualTo(404));
    }

    [Test]
    public async Task The_nodes_public_http_port_serves_no_console()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        using HttpResponseMessage response = await http.GetAsync(new Uri(_registry.Host.Http, "admin"));

        Assert.That((int)response.StatusCode, Is.EqualTo(404), "the console is on the registry's port only, never where the public looks");
    }

    [GeneratedRegex("<script[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptTag();

    [GeneratedRegex(@"\son[a-z]+\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex InlineHandler();
}
