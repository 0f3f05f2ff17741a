using ImeiEir.Node.Observability;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Node.Tests.Observability;

[TestFixture]
public sealed class LogTextTests
{
    [TestCase("mme.example", "mme.example")]
    [TestCase("mme\n2026-12-06 info: forged", @"mme\n2026-12-06 info: forged")]
    [TestCase("a\r\tb", @"a\r\tb")]
    [TestCase("nul\0here", @"nul\x00here")]
    [TestCase("esc\u001b[31mred", @"esc\x1B[31mred")]
    [TestCase(@"back\slash", @"back\\slash")]
    [TestCase("é", @"\xC3\xA9")]
    [TestCase("del\u007f", @"del\x7F")]
    public void Peer_text_is_escaped_to_printable_ascii_on_one_line(string text, string expected)
    {
        Assert.That(LogText.Escape(text), Is.EqualTo(expected));
        Assert.That(LogText.Escape(System.Text.Encoding.UTF8.GetBytes(text)), Is.EqualTo(expected));
    }

    [Test]
    public void Long_text_is_cut_with_an_ellipsis()
    {
        string escaped = LogText.Escape(new string('a', 100_000));
        Assert.That(escaped, Is.EqualTo(new string('a', LogText.MaxInput) + "..."));
        Assert.That(LogText.Escape(new byte[LogText.MaxInput]), Has.Length.EqualTo(4 * LogText.MaxInput), "exactly the limit: no ellipsis");
    }
}

[TestFixture]
public sealed class LogRateLimiterTests
{
    [Test]
    public void Lines_over_the_limit_are_counted_and_reported_with_the_next_allowed_line()
    {
        var time = new FakeTimeProvider();
        var limits = new LogRateLimiter(time, linesPerInterval: 3, interval: TimeSpan.FromSeconds(10));

        bool[] allowed = [.. Enumerable.Range(0, 10).Select(_ => limits.ShouldLog("10.0.0.1", 13, out _))];
        Assert.That(allowed.Count(a => a), Is.EqualTo(3));
        Assert.That(limits.ShouldLog("10.0.0.2", 13, out _), Is.True, "another address has its own budget");
        Assert.That(limits.ShouldLog("10.0.0.1", 12, out _), Is.True, "another kind of line has its own budget");

        time.Advance(TimeSpan.FromSeconds(10));
        Assert.That(limits.ShouldLog("10.0.0.1", 13, out int suppressed), Is.True);
        Assert.That(suppressed, Is.EqualTo(7));
        Assert.That(limits.ShouldLog("10.0.0.1", 13, out suppressed) && suppressed == 0, Is.True, "reported once");
    }

    [Test]
    public void Memory_stays_bounded_whatever_the_number_of_sources()
    {
        var limits = new LogRateLimiter(new FakeTimeProvider(), linesPerInterval: 1, maxEntries: 64);
        for (int i = 0; i < 100_000; i++)
            limits.ShouldLog($"10.{i >> 16}.{(i >> 8) & 255}.{i & 255}", 13, out _);
        Assert.That(limits.Capacity, Is.EqualTo(64));
        Assert.That(limits.ShouldLog("10.200.0.1", 13, out _), Is.True, "a new source still gets its first line");
    }

    [TestCase("127.0.0.1:41234", "127.0.0.1")]
    [TestCase("[::1]:41234", "[::1]")]
    [TestCase("::1", "::1")]
    [TestCase(null, "(unknown)")]
    [TestCase("in-memory", "in-memory")]
    public void The_source_is_the_address_without_the_port(string? remote, string expected) =>
        Assert.That(LogRateLimiter.SourceOf(remote), Is.EqualTo(expected));
}
