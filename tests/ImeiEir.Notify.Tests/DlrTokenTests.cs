using System.Net;
using ImeiEir.Notify.Notices;
using ImeiEir.Notify.Outbox;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Notify.Tests;

/// <summary>Notify:DlrToken unset: a token is generated into the data directory, kept, and required of every delivery report.</summary>
public class DlrTokenTests
{
    private const string TokenFileName = "dlr.token";

    private TempDirectory _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempDirectory();

    [TearDown]
    public void TearDown() => _dir.Dispose();

    private string TokenPath => Path.Combine(_dir.Path, TokenFileName);

    private static async Task<string> SentNoticeKeyAsync(Notifier notifier)
    {
        await TestData.ImportAsync(notifier, TestData.DirectoryCsv);
        notifier.Outbox.Enqueue(TestData.Grey());
        Assert.That(notifier.Outbox.TryStartNext(TestData.Start, out OutgoingSms sms, out _), Is.True);
        notifier.Outbox.MarkAccepted(sms.Key, "0: Accepted for delivery");
        return sms.Key;
    }

    private static NoticeState State(Notifier notifier, string key) =>
        notifier.Outbox.TryGet(key, out NoticeView view) ? view.State : default;

    [Test]
    public async Task A_delivery_report_without_the_token_is_refused_when_Notify_DlrToken_is_not_configured()
    {
        using Notifier notifier = await TestData.OpenAsync(_dir.Path, new FakeTimeProvider(TestData.Start));
        string key = await SentNoticeKeyAsync(notifier);
        await using ApiHost api = await ApiHost.StartAsync(notifier);
        using HttpClient kannel = api.Client(withToken: false);

        HttpResponseMessage none = await kannel.GetAsync($"v1/notices/dlr?key={key}&type=2");
        HttpResponseMessage wrong = await kannel.GetAsync($"v1/notices/dlr?key={key}&type=2&token=wrong-token-0123456");
        Assert.Multiple(() =>
        {
            Assert.That(none.StatusCode, Is.AnyOf(HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden));
            Assert.That(wrong.StatusCode, Is.AnyOf(HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden));
            Assert.That(State(notifier, key), Is.EqualTo(NoticeState.Sent), "no report was recorded");
        });
    }

    [Test]
    public async Task A_delivery_report_with_the_generated_token_is_accepted()
    {
        using Notifier notifier = await TestData.OpenAsync(_dir.Path, new FakeTimeProvider(TestData.Start));
        string key = await SentNoticeKeyAsync(notifier);
        await using ApiHost api = await ApiHost.StartAsync(notifier);
        using HttpClient kannel = api.Client(withToken: false);
        Assert.That(File.Exists(TokenPath), Is.True, "a token file in the data directory");
        string token = File.ReadAllText(TokenPath).Trim();
        Assert.That(token, Has.Length.GreaterThanOrEqualTo(16));

        HttpResponseMessage ok = await kannel.GetAsync($"v1/notices/dlr?key={key}&type=1&token={Uri.EscapeDataString(token)}");
        Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(State(notifier, key), Is.EqualTo(NoticeState.Delivered));
    }

    [Test]
    public async Task The_generated_token_survives_a_restart()
    {
        string key;
        using (Notifier first = await TestData.OpenAsync(_dir.Path, new FakeTimeProvider(TestData.Start)))
            key = await SentNoticeKeyAsync(first);
        Assert.That(File.Exists(TokenPath), Is.True, "a token file in the data directory");
        string token = File.ReadAllText(TokenPath).Trim();

        using Notifier second = await TestData.OpenAsync(_dir.Path, new FakeTimeProvider(TestData.Start));
        Assert.That(File.ReadAllText(TokenPath).Trim(), Is.EqualTo(token), "not generated again");
        await using ApiHost api = await ApiHost.StartAsync(second);
        using HttpClient kannel = api.Client(withToken: false);
        HttpResponseMessage ok = await kannel.GetAsync($"v1/notices/dlr?key={key}&type=1&token={Uri.EscapeDataString(token)}");
        Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Start_up_says_in_one_line_whether_the_token_was_generated_or_loaded_and_never_shows_it()
    {
        var first = new TestLogger();
        using (await Notifier.OpenAsync(TestData.Options(_dir.Path), new FakeTimeProvider(TestData.Start), new OneLoggerFactory(first)))
        {
        }
        string token = File.ReadAllText(TokenPath).Trim();
        var second = new TestLogger();
        using (await Notifier.OpenAsync(TestData.Options(_dir.Path), new FakeTimeProvider(TestData.Start), new OneLoggerFactory(second)))
        {
        }

        string[] generated = [.. first.Lines.Select(l => l.Message).Where(m => m.Contains("DLR token", StringComparison.Ordinal))];
        string[] loaded = [.. second.Lines.Select(l => l.Message).Where(m => m.Contains("DLR token", StringComparison.Ordinal))];
        Assert.Multiple(() =>
        {
            Assert.That(generated, Has.Length.EqualTo(1));
            Assert.That(generated.SingleOrDefault(), Does.Contain("generated").And.Contain(TokenPath));
            Assert.That(loaded, Has.Length.EqualTo(1));
            Assert.That(loaded.SingleOrDefault(), Does.Contain("loaded").And.Contain(TokenPath));
            Assert.That(first.Lines.Concat(second.Lines).Select(l => l.Message), Has.None.Contain(token));
        });
    }

    /// <summary>Every category logs to one <see cref="TestLogger"/>.</summary>
    private sealed class OneLoggerFactory(TestLogger logger) : Microsoft.Extensions.Logging.ILoggerFactory
    {
        public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => logger;

        public void AddProvider(Microsoft.Extensions.Logging.ILoggerProvider provider) { }

        public void Dispose() { }
    }

    [Test]
    public async Task A_configured_token_is_used_and_no_token_file_is_written()
    {
        using Notifier notifier = await TestData.OpenAsync(_dir.Path, new FakeTimeProvider(TestData.Start), o => o.DlrToken = "dlr-token-0123456789");
        Assert.That(File.Exists(TokenPath), Is.False);
    }
}
