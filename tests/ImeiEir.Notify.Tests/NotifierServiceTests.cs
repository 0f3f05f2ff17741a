using System.Net;
using ImeiEir.Notify.Delivery;
using ImeiEir.Notify.Notices;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Notify.Tests;

/// <summary>The sender loop on a fake clock against a scripted gateway: parameters, back-off, rate, give-up, parking.</summary>
public class NotifierServiceTests
{
    private const string SendSmsUrl = "http://127.0.0.1:13013/cgi-bin/sendsms";

    private TempDirectory _dir = null!;
    private FakeTimeProvider _time = null!;
    private WatchedClock _clock = null!;
    private FakeGateway _gateway = null!;
    private HttpClient _http = null!;
    private Notifier _notifier = null!;
    private NotifierService? _service;

    [SetUp]
    public void SetUp()
    {
        _dir = new TempDirectory();
        _time = new FakeTimeProvider(TestData.Start);
        _clock = new WatchedClock(_time);
        _gateway = new FakeGateway(_time);
        _http = new HttpClient(_gateway);
    }

    [TearDown]
    public async Task TearDown()
    {
        if (_service is not null)
        {
            await _service.StopAsync(CancellationToken.None);
            _service.Dispose();
        }
        _notifier?.Dispose();
        _http.Dispose();
        _dir.Dispose();
    }

    private async Task StartAsync(Action<NotifyOptions>? configure = null, bool delivery = true, bool importDirectory = true)
    {
        _notifier = await TestData.OpenAsync(_dir.Path, _time, o =>
        {
            if (delivery)
            {
                o.SendSmsUrl = SendSmsUrl;
                o.Username = "tester";
                o.Password = "foo&bar=baz";
                o.From = "KZ-IMEI";
            }
            o.InitialBackoff = TimeSpan.FromSeconds(1);
            o.MaxBackoff = TimeSpan.FromSeconds(4);
            o.RatePerSecond = 1000;
            configure?.Invoke(o);
        });
        if (importDirectory) await TestData.ImportAsync(_notifier, TestData.DirectoryCsv);
        _service = _notifier.CreateService(_http, _clock);
        await _service.StartAsync(CancellationToken.None);
    }

    private NoticeView View(NoticeRequest request)
    {
        Assert.That(_notifier.Outbox.TryGet(request.Key, out NoticeView view), Is.True, request.Key);
        return view;
    }

    [Test]
    public async Task A_sendsms_request_carries_credentials_sender_number_whole_text_ucs2_and_the_dlr_url()
    {
        await StartAsync(o =>
        {
            o.DlrUrl = "http://10.0.0.5:8700/v1/notices/dlr";
            o.DlrToken = "dlr-token-0123456789";
        });
        NoticeRequest grey = TestData.Grey();
        _notifier.Outbox.Enqueue(grey);
        await Wait.UntilAsync(() => View(grey).State == NoticeState.Sent, "the notice to be sent");

        Assert.That(_gateway.Count, Is.EqualTo(1));
        var query = _gateway.Query(0);
        Uri url = _gateway.Requests[0].Url;
        Assert.Multiple(() =>
        {
            Assert.That(url.GetLeftPart(UriPartial.Path), Is.EqualTo(SendSmsUrl));
            Assert.That(query["username"], Is.EqualTo("tester"));
            Assert.That(query["password"], Is.EqualTo("foo&bar=baz"), "escaped, so a '&' in a password does not cut the query");
            Assert.That(query["from"], Is.EqualTo("KZ-IMEI"));
            Assert.That(query["to"], Is.EqualTo(TestData.RuMsisdn));
            Assert.That(query["charset"], Is.EqualTo("UTF-8"));
            Assert.That(query["coding"], Is.EqualTo("2"));
            Assert.That(query["text"], Is.EqualTo(View(grey).Text), "the whole text in one request: Kannel splits it");
            Assert.That(query["text"]!.Length, Is.GreaterThan(300));
            Assert.That(url.Query, Does.Contain("text=%D0%9F%D0%B5%D1%80%D0%B5"), "UTF-8 percent-encoded (Пере...)");
            Assert.That(query["dlr-mask"], Is.EqualTo("31"));
            Assert.That(query["dlr-url"], Is.EqualTo($"http://10.0.0.5:8700/v1/notices/dlr?key={grey.Key}&type=%d&token=dlr-token-0123456789"));
            Assert.That(View(grey).GatewayAnswer, Is.EqualTo("0: Accepted for delivery"));
            Assert.That(View(grey).Sent, Is.EqualTo(TestData.Start));
        });
    }

    [Test]
    public async Task Without_Notify_DlrToken_the_dlr_url_carries_the_generated_token()
    {
        await StartAsync(o => o.DlrUrl = "http://10.0.0.5:8700/v1/notices/dlr");
        NoticeRequest grey = TestData.Grey();
        _notifier.Outbox.Enqueue(grey);
        await Wait.UntilAsync(() => View(grey).State == NoticeState.Sent, "the notice to be sent");

        string tokenPath = Path.Combine(_dir.Path, "dlr.token");
        Assert.That(File.Exists(tokenPath), Is.True, "a token file in the data directory");
        string token = File.ReadAllText(tokenPath).Trim();
        Assert.That(_gateway.Query(0)["dlr-url"],
            Is.EqualTo($"http://10.0.0.5:8700/v1/notices/dlr?key={grey.Key}&type=%d&token={Uri.EscapeDataString(token)}"));
    }

    [Test]
    public async Task While_the_gateway_fails_nothing_is_sent_until_its_doubling_capped_back_off_has_passed()
    {
        // Requests 1-2 refused (gateway down), 3-4 answered 503, then accepted.
        await StartAsync(configure: null);
        _gateway.Answer = n => n switch
        {
            <= 2 => null,
            <= 4 => (HttpStatusCode.ServiceUnavailable, "Sending failed."),
            _ => (HttpStatusCode.Accepted, "0: Accepted for delivery"),
        };
        NoticeRequest a = TestData.Grey();
        NoticeRequest b = TestData.Grey(TestData.KkImsi);
        _notifier.Outbox.EnqueueMany([a, b]);

        // Failures in a row → the gateway's back-off (1, 2, 4, then capped at 4 s). A failed notice goes to the back
        // of the line with its own back-off (1 s after its first failure, 2 s after its second), so A and B alternate.
        double[] gatewayBackoff = [1, 2, 4, 4];
        NoticeRequest[] failing = [a, b, a, b];
        int[] attempts = [1, 1, 2, 2];
        double[] noticeBackoff = [1, 1, 2, 2];
        for (int i = 0; i < 4; i++)
        {
            int failure = i + 1;
            NoticeRequest notice = failing[i];
            int attempt = attempts[i];
            await Wait.UntilAsync(() => View(notice).Attempts == attempt && View(notice).State == NoticeState.Pending, $"failure {failure} to be recorded",
                diagnostics: () => $"{View(notice)}; {_gateway.Count} requests");
            DateTimeOffset failedAt = _gateway.Requests[^1].At;
            Assert.That(View(notice).NextAttempt, Is.EqualTo(failedAt + TimeSpan.FromSeconds(noticeBackoff[i])), $"the notice's back-off after failure {failure}");
            Assert.That(View(notice).LastError, failure <= 2 ? Does.Contain("Connection refused") : Does.Contain("HTTP 503 Sending failed."));

            DateTimeOffset backoffEnds = failedAt + TimeSpan.FromSeconds(gatewayBackoff[i]);
            _time.Advance(TimeSpan.FromSeconds(gatewayBackoff[i]) - TimeSpan.FromMilliseconds(1));
            await SenderSleepsUntilAsync(backoffEnds, failure, $"the end of the gateway's back-off after failure {failure}");
            Assert.That(_gateway.Count, Is.EqualTo(failure), $"a request before the gateway's back-off after failure {failure} ended");
            _time.Advance(TimeSpan.FromMilliseconds(1));
            await Wait.UntilAsync(() => _gateway.Count > failure, $"request {failure + 1} once the back-off ended");
        }

        await Wait.UntilAsync(() => View(a).State == NoticeState.Sent, "A once the gateway recovered");
        _time.Advance(TimeSpan.FromMilliseconds(1)); // RatePerSecond 1000
        await Wait.UntilAsync(() => View(b).State == NoticeState.Sent, "B 1 ms after A");
        Assert.Multiple(() =>
        {
            Assert.That(_gateway.Requests.Select(r => (r.At - TestData.Start).TotalSeconds), Is.EqualTo(new[] { 0.0, 1, 3, 7, 11, 11.001 }));
            Assert.That(_gateway.Requests.Select(r => To(r.Url)), Is.EqualTo(new[]
            {
                TestData.RuMsisdn, TestData.KkMsisdn, TestData.RuMsisdn, TestData.KkMsisdn, TestData.RuMsisdn, TestData.KkMsisdn,
            }));
            Assert.That((View(a).State, View(a).Attempts, View(b).Attempts), Is.EqualTo((NoticeState.Sent, 3, 3)));
            Assert.That(_notifier.Outbox.RetryCount, Is.EqualTo(4));
            Assert.That(_service!.ConsecutiveFailures, Is.Zero);
        });
    }

    [Test]
    public async Task A_notice_the_gateway_keeps_refusing_does_not_hold_up_the_others()
    {
        await StartAsync(configure: null);
        _gateway.Answer = n => _gateway.Query(n - 1)["to"] == TestData.RuMsisdn
            ? (HttpStatusCode.BadRequest, "Missing receiver number, rejected")
            : (HttpStatusCode.Accepted, "0: Accepted for delivery");
        NoticeRequest poison = TestData.Grey();
        NoticeRequest[] others = [.. Enumerable.Range(1, 3).Select(i => TestData.Grey(TestData.KkImsi, TestData.Device(i)))];
        _notifier.Outbox.EnqueueMany([poison, .. others]);
        await Wait.UntilAsync(() => View(poison).Attempts == 1 && View(poison).State == NoticeState.Pending, "the refused notice");
        _time.Advance(TimeSpan.FromSeconds(1) - TimeSpan.FromMilliseconds(3));
        await AdvanceUntilAsync(() => others.All(o => View(o).State == NoticeState.Sent), "the other notices", TimeSpan.FromMilliseconds(1));
        Assert.That(View(poison).Attempts, Is.EqualTo(1), "the others went first, though the refused one was first in line and due");
        Assert.That(_gateway.Requests.Select(r => To(r.Url)), Is.EqualTo(new[] { TestData.RuMsisdn, TestData.KkMsisdn, TestData.KkMsisdn, TestData.KkMsisdn }));
    }

    [Test]
    public async Task Sends_are_spaced_by_the_configured_rate()
    {
        await StartAsync(o => o.RatePerSecond = 2);
        NoticeRequest[] notices = [.. Enumerable.Range(1, 3).Select(i => TestData.Grey(TestData.RuImsi, TestData.Device(i)))];
        _notifier.Outbox.EnqueueMany(notices);
        await Wait.UntilAsync(() => _gateway.Count == 1, "the first send");
        for (int sent = 1; sent < 3; sent++)
        {
            int count = sent;
            DateTimeOffset next = _gateway.Requests[^1].At + TimeSpan.FromMilliseconds(500);
            _time.Advance(TimeSpan.FromMilliseconds(499));
            await SenderSleepsUntilAsync(next, count, $"send {count + 1}, 1/RatePerSecond after send {count}");
            Assert.That(_gateway.Count, Is.EqualTo(count), "a send sooner than 1/RatePerSecond after the previous one");
            _time.Advance(TimeSpan.FromMilliseconds(1));
            await Wait.UntilAsync(() => _gateway.Count > count, $"send {count + 1} after 500 ms");
        }
        IReadOnlyList<(DateTimeOffset At, Uri Url)> requests = _gateway.Requests;
        Assert.That(requests.Select(r => (r.At - TestData.Start).TotalMilliseconds), Is.EqualTo(new[] { 0.0, 500.0, 1000.0 }));
    }

    [Test]
    public async Task With_MaxAttempts_a_notice_the_gateway_keeps_refusing_is_given_up()
    {
        await StartAsync(o => o.MaxAttempts = 2);
        _gateway.Answer = n => _gateway.Query(n - 1)["to"] == TestData.RuMsisdn
            ? (HttpStatusCode.BadRequest, "Missing receiver number, rejected")
            : (HttpStatusCode.Accepted, "0: Accepted for delivery");
        NoticeRequest refused = TestData.Grey();
        NoticeRequest other = TestData.Grey(TestData.KkImsi);
        _notifier.Outbox.EnqueueMany([refused, other]);
        await AdvanceUntilAsync(() => View(refused).State == NoticeState.Failed, "giving up after 2 attempts", TimeSpan.FromMilliseconds(100));
        Assert.Multiple(() =>
        {
            Assert.That(View(refused).Attempts, Is.EqualTo(2));
            Assert.That(View(refused).LastError, Does.Contain("HTTP 400 Missing receiver number"));
            Assert.That(View(other).State, Is.EqualTo(NoticeState.Sent));
            Assert.That((_notifier.Outbox.FailedCount, _notifier.Outbox.RetryCount), Is.EqualTo((1L, 1L)));
        });
        // Asleep until the gateway's back-off after the last failure ends; only that timer can wake it. Once the clock is
        // past that and the sender has begun its next wait, it has been through the outbox at a time every retry was due.
        await SenderSleepsUntilAsync(_gateway.Requests[^1].At + TimeSpan.FromSeconds(1), 3, "the end of the gateway's back-off");
        long waits = _service!.WaitsBegun;
        _time.Advance(TimeSpan.FromMinutes(10));
        await Wait.UntilAsync(() => _service.WaitsBegun > waits, "the sender's round after the back-off, 10 minutes on");
        Assert.That(_gateway.Count, Is.EqualTo(3), "an attempt at a notice given up");
    }

    [Test]
    public async Task Without_a_sendsms_url_notices_are_recorded_and_nothing_is_sent()
    {
        await StartAsync(delivery: false);
        await Wait.UntilAsync(() => _service!.WaitsBegun > 0, "the sender to wait for work");
        long waits = _service!.WaitsBegun;
        _notifier.Outbox.Enqueue(TestData.Grey());
        _time.Advance(TimeSpan.FromMinutes(10));
        // Its wait ends only when something wakes it (the notice did): a next wait means a round after the notice.
        await Wait.UntilAsync(() => _service.WaitsBegun > waits || _gateway.Count > 0, "the sender's round after the notice woke it");
        Assert.That(_gateway.Count, Is.Zero, "a request with delivery off");
        Assert.That(View(TestData.Grey()).State, Is.EqualTo(NoticeState.Pending));
    }

    [Test]
    public async Task A_parked_notice_goes_out_when_its_subscriber_is_imported()
    {
        await StartAsync(importDirectory: false);
        await TestData.ImportAsync(_notifier, $"imsi,msisdn,iin,language\n{TestData.RuImsi},{TestData.RuMsisdn},{TestData.Iin},ru\n");
        NoticeRequest grey = TestData.Grey(TestData.KkImsi);
        _notifier.Outbox.Enqueue(grey);
        // A later notice, for a known subscriber: the sender takes notices in order, so a parked one it would send goes first.
        NoticeRequest later = TestData.Grey(TestData.RuImsi);
        _notifier.Outbox.Enqueue(later);
        await Wait.UntilAsync(() => _gateway.Count > 0, "the first request, which is the later notice's");
        Assert.That(_gateway.Requests.Select(r => To(r.Url)), Is.EqualTo(new[] { TestData.RuMsisdn }), "a request for a parked notice");
        await Wait.UntilAsync(() => View(later).State == NoticeState.Sent, "the later notice to be sent");
        Assert.That((View(grey).State, _notifier.Outbox.ParkedCount), Is.EqualTo((NoticeState.Parked, 1L)));

        await TestData.ImportAsync(_notifier, TestData.DirectoryCsv);
        _time.Advance(TimeSpan.FromMilliseconds(1)); // RatePerSecond 1000: a next send 1 ms after the later notice's
        await Wait.UntilAsync(() => View(grey).State == NoticeState.Sent, "the released notice to be sent");
        Assert.That(_gateway.Query(1)["to"], Is.EqualTo(TestData.KkMsisdn));
        Assert.That(_gateway.Query(1)["text"], Does.StartWith("Құрылғы дұрыс жұмыс істеуі"));
        Assert.That(_notifier.Outbox.ParkedCount, Is.Zero);
    }

    /// <summary>
    /// Until the sender sleeps on its clock until exactly <paramref name="due"/> (it has looked at the outbox and the
    /// clock, found nothing it may send before then, and set its timer; nothing, as no notice is enqueued, wakes it
    /// sooner), or the gateway has more than <paramref name="requests"/> requests (for the caller's check to fail on).
    /// </summary>
    private Task SenderSleepsUntilAsync(DateTimeOffset due, int requests, string what) =>
        Wait.UntilAsync(() => _gateway.Count > requests || _clock.ArmedTimers.Any(t => t.Due == due), $"the sender to sleep until {what} ({due:HH:mm:ss.fff})",
            diagnostics: () => $"{_clock.Describe()}; {_gateway.Count} requests");

    /// <summary>Advances the fake clock in steps, letting the service run between them, until the condition holds (at most 2,000 steps).</summary>
    private async Task AdvanceUntilAsync(Func<bool> condition, string what, TimeSpan step)
    {
        for (int i = 0; i < 2000 && !condition(); i++)
        {
            _time.Advance(step);
            await Task.Delay(5); // the scenario: a step of the fake clock, then a moment of real time for the service to see it
        }
        await Wait.UntilAsync(condition, what);
    }

    private static string? To(Uri url) => System.Web.HttpUtility.ParseQueryString(url.Query)["to"];
}
