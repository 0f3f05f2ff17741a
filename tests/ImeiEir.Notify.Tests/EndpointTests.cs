using System.Net;
using System.Text;
using System.Text.Json;
using ImeiEir.Notify.Notices;
using ImeiEir.Notify.Outbox;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Notify.Tests;

/// <summary>MapNotifyApi through Kestrel and HttpClient: queries, the outbox summary, readers' access, subscriber import, the delivery-report callback.</summary>
public class EndpointTests
{
    private const string DlrToken = "dlr-token-0123456789";

    private TempDirectory _dir = null!;
    private Notifier _notifier = null!;
    private ApiHost _api = null!;
    private HttpClient _http = null!;

    [SetUp]
    public async Task SetUp()
    {
        _dir = new TempDirectory();
        _notifier = await TestData.OpenAsync(_dir.Path, new FakeTimeProvider(TestData.Start), o => o.DlrToken = DlrToken);
        _api = await ApiHost.StartAsync(_notifier, readers: true);
        _http = _api.Client();
    }

    [TearDown]
    public async Task TearDown()
    {
        _http.Dispose();
        await _api.DisposeAsync();
        _notifier.Dispose();
        _dir.Dispose();
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode status, string mediaType = "application/json")
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo(mediaType), body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private Task<HttpResponseMessage> ImportAsync(string csv, string contentType = "text/csv") =>
        _http.PostAsync("v1/subscribers", new StringContent(csv, Encoding.UTF8, contentType));

    [Test]
    public async Task Notices_by_imei_and_by_msisdn_show_kind_state_attempts_times_and_text()
    {
        _notifier.Outbox.Enqueue(TestData.Grey());
        await JsonAsync(await ImportAsync(TestData.DirectoryCsv), HttpStatusCode.OK);
        _notifier.Outbox.Enqueue(TestData.Grey(TestData.KkImsi));

        JsonElement byImei = await JsonAsync(await _http.GetAsync("v1/notices?imei=35209900176148"), HttpStatusCode.OK);
        JsonElement[] notices = [.. byImei.GetProperty("notices").EnumerateArray()];
        Assert.That(notices, Has.Length.EqualTo(2));
        JsonElement n = notices[0];
        Assert.Multiple(() =>
        {
            Assert.That(n.GetProperty("key").GetString(), Is.EqualTo(TestData.Grey().Key));
            Assert.That(n.GetProperty("kind").GetString(), Is.EqualTo("grey-start"));
            Assert.That(n.GetProperty("state").GetString(), Is.EqualTo("pending"));
            Assert.That(n.GetProperty("imei").GetString(), Is.EqualTo("352099001761481"));
            Assert.That(n.GetProperty("imsi").GetString(), Is.EqualTo(TestData.RuImsi));
            Assert.That(n.GetProperty("msisdn").GetString(), Is.EqualTo(TestData.RuMsisdn));
            Assert.That(n.GetProperty("language").GetString(), Is.EqualTo("ru"));
            Assert.That(n.GetProperty("deadline").GetString(), Is.EqualTo("2026-12-24T00:00:00+05:00"));
            Assert.That(n.GetProperty("attempts").GetInt32(), Is.Zero);
            Assert.That(n.GetProperty("created").GetString(), Is.EqualTo("2026-11-24T09:00:00.000Z"));
            Assert.That(n.GetProperty("sent").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(n.GetProperty("text").GetString(), Does.StartWith("Перезагрузите устройство"));
            Assert.That(notices[1].GetProperty("language").GetString(), Is.EqualTo("kk"));
        });

        JsonElement byMsisdn = await JsonAsync(await _http.GetAsync($"v1/notices?msisdn=%2B{TestData.KkMsisdn}"), HttpStatusCode.OK);
        Assert.That(byMsisdn.GetProperty("notices").EnumerateArray().Select(x => x.GetProperty("imsi").GetString()), Is.EqualTo(new[] { TestData.KkImsi }));
        JsonElement both = await JsonAsync(await _http.GetAsync($"v1/notices?imei=352099001761481&msisdn={TestData.KkMsisdn}"), HttpStatusCode.OK);
        Assert.That(both.GetProperty("notices").GetArrayLength(), Is.EqualTo(2), "the union, each notice once");
    }

    [Test]
    public async Task Queries_need_the_admin_token_and_a_well_formed_id()
    {
        using HttpClient anonymous = _api.Client(withToken: false);
        HttpResponseMessage unauthorized = await anonymous.GetAsync("v1/notices?imei=35209900176148");
        await JsonAsync(unauthorized, HttpStatusCode.Unauthorized, "application/problem+json");
        Assert.That(unauthorized.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Bearer"));
        await JsonAsync(await anonymous.PostAsync("v1/subscribers", new StringContent(TestData.DirectoryCsv, Encoding.UTF8, "text/csv")), HttpStatusCode.Unauthorized, "application/problem+json");
        JsonElement bad = await JsonAsync(await _http.GetAsync("v1/notices?imei=352099001761482"), HttpStatusCode.BadRequest, "application/problem+json");
        Assert.That(bad.GetProperty("detail").GetString(), Does.Contain("not an IMEI"));
        await JsonAsync(await _http.GetAsync("v1/notices"), HttpStatusCode.BadRequest, "application/problem+json");
        Assert.That(_notifier.Subscribers.Count, Is.Zero);
    }

    [Test]
    public async Task An_import_with_bad_lines_is_refused_whole_with_every_line_named()
    {
        JsonElement problem = await JsonAsync(await ImportAsync($"{TestData.RuImsi},{TestData.RuMsisdn},{TestData.Iin},ru\nbad\n{TestData.KkImsi},1,{TestData.Iin},kk\n"),
            (HttpStatusCode)422, "application/problem+json");
        Assert.That(problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("line").GetInt32()), Is.EqualTo(new[] { 2, 3 }));
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("nothing was imported"));
        Assert.That(_notifier.Subscribers.Count, Is.Zero);
        await JsonAsync(await ImportAsync(TestData.DirectoryCsv, "application/json"), HttpStatusCode.UnsupportedMediaType, "application/problem+json");
    }

    [Test]
    public async Task An_import_releases_the_parked_notices_and_says_how_many()
    {
        _notifier.Outbox.Enqueue(TestData.Grey());
        _notifier.Outbox.Enqueue(TestData.Grey(TestData.KkImsi));
        JsonElement report = await JsonAsync(await ImportAsync(TestData.DirectoryCsv), HttpStatusCode.OK);
        Assert.That((report.GetProperty("added").GetInt32(), report.GetProperty("total").GetInt32(), report.GetProperty("released").GetInt32()), Is.EqualTo((2, 2, 2)));
        Assert.That((_notifier.Outbox.ParkedCount, _notifier.Outbox.PendingCount), Is.EqualTo((0L, 2L)));
    }

    [Test]
    public async Task The_delivery_report_callback_checks_its_token_and_records_the_report()
    {
        await _notifier.Subscribers.ImportAsync(new StringReader(TestData.DirectoryCsv));
        _notifier.Outbox.Enqueue(TestData.Grey());
        _notifier.Outbox.TryStartNext(TestData.Start, out OutgoingSms sms, out _);
        _notifier.Outbox.MarkAccepted(sms.Key, "0: Accepted for delivery");
        using HttpClient kannel = _api.Client(withToken: false); // Kannel sends no bearer token

        await JsonAsync(await kannel.GetAsync($"v1/notices/dlr?key={sms.Key}&type=1&token=wrong-token-0123456"), HttpStatusCode.Forbidden, "application/problem+json");
        await JsonAsync(await kannel.GetAsync($"v1/notices/dlr?key={sms.Key}&type=1"), HttpStatusCode.Forbidden, "application/problem+json");
        await JsonAsync(await kannel.GetAsync($"v1/notices/dlr?key={sms.Key}&type=%25d&token={DlrToken}"), HttpStatusCode.BadRequest, "application/problem+json");
        await JsonAsync(await kannel.GetAsync($"v1/notices/dlr?key=nope&type=1&token={DlrToken}"), HttpStatusCode.NotFound, "application/problem+json");
        Assert.That(_notifier.Outbox.TryGet(sms.Key, out NoticeView before) ? before.State : default, Is.EqualTo(NoticeState.Sent));

        HttpResponseMessage ok = await kannel.GetAsync($"v1/notices/dlr?key={sms.Key}&type=1&token={DlrToken}");
        Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(_notifier.Outbox.TryGet(sms.Key, out NoticeView after) ? (after.State, after.LastDlrType) : default, Is.EqualTo((NoticeState.Delivered, (byte)1)));
    }

    /// <summary>Enqueues <paramref name="request"/> and takes it out to send, as the sender would.</summary>
    private string Start(NoticeRequest request)
    {
        Assert.That(_notifier.Outbox.Enqueue(request), Is.True);
        Assert.That(_notifier.Outbox.TryStartNext(TestData.Start, out OutgoingSms sms, out _), Is.True);
        return sms.Key;
    }

    [Test]
    public async Task The_summary_counts_the_outbox_by_state_and_the_retries()
    {
        await _notifier.Subscribers.ImportAsync(new StringReader(TestData.DirectoryCsv));
        string delivered = Start(TestData.Grey());
        _notifier.Outbox.MarkAccepted(delivered, "0: Accepted for delivery");
        _notifier.Outbox.RecordDeliveryReport(delivered, 1);
        string undelivered = Start(TestData.Grey(imei: TestData.Device(2)));
        _notifier.Outbox.MarkAccepted(undelivered, "0: Accepted for delivery");
        _notifier.Outbox.RecordDeliveryReport(undelivered, 2);
        _notifier.Outbox.MarkAccepted(Start(TestData.Grey(TestData.KkImsi)), "0: Accepted for delivery");
        _notifier.Outbox.MarkAttemptFailed(Start(TestData.Grey(imei: TestData.Device(1))), "gateway down", TestData.Start.AddMinutes(5), maxAttempts: 0);
        _notifier.Outbox.MarkAttemptFailed(Start(TestData.Grey(TestData.KkImsi, TestData.Device(3))), "gateway down", TestData.Start.AddMinutes(5), maxAttempts: 1);
        Assert.That(_notifier.Outbox.Enqueue(TestData.Grey("401019999999999")), Is.True, "no such subscriber: parked");

        using HttpClient reader = _api.Client(ApiHost.ReaderToken);
        using HttpResponseMessage response = await reader.GetAsync("v1/notices/summary");
        string body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        JsonElement summary = JsonDocument.Parse(body).RootElement;
        Assert.That(summary.EnumerateObject().Select(p => (p.Name, p.Value.GetInt64())), Is.EqualTo(new[]
        {
            ("parked", 1L), ("pending", 1L), ("sent", 1L), ("delivered", 1L), ("undelivered", 1L), ("failed", 1L), ("retries", 1L),
        }));
    }

    [Test]
    public async Task A_reader_sees_notices_and_the_summary_but_cannot_import_and_no_token_sees_nothing()
    {
        _notifier.Outbox.Enqueue(TestData.Grey());
        using HttpClient reader = _api.Client(ApiHost.ReaderToken);
        using HttpResponseMessage notices = await reader.GetAsync($"v1/notices?imei={TestData.Imei}");
        Assert.That(notices.StatusCode, Is.EqualTo(HttpStatusCode.OK), await notices.Content.ReadAsStringAsync());
        Assert.That(JsonDocument.Parse(await notices.Content.ReadAsStringAsync()).RootElement.GetProperty("notices").GetArrayLength(), Is.EqualTo(1));
        using HttpResponseMessage import = await reader.PostAsync("v1/subscribers", new StringContent(TestData.DirectoryCsv, Encoding.UTF8, "text/csv"));
        Assert.That(import.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "readers see, admins change");
        Assert.That(_notifier.Subscribers.Count, Is.Zero);

        using HttpClient anonymous = _api.Client(token: null);
        using HttpResponseMessage refused = await anonymous.GetAsync("v1/notices/summary");
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(refused.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }
}
