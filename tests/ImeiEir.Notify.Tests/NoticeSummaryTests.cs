using System.Net;
using System.Text;
using System.Text.Json;
using ImeiEir.Notify.Outbox;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Notify.Tests;

/// <summary>
/// <c>GET /v1/notices/summary</c> and the readers' access to the notices (issue 25: readers see, admins change),
/// through Kestrel on 127.0.0.1 and HttpClient.
/// </summary>
public sealed class NoticeSummaryTests
{
    private TempDirectory _dir = null!;
    private Notifier _notifier = null!;
    private ApiHost _api = null!;

    [SetUp]
    public async Task SetUp()
    {
        _dir = new TempDirectory();
        _notifier = await TestData.OpenAsync(_dir.Path, new FakeTimeProvider(TestData.Start));
        _api = await ApiHost.StartAsync(_notifier, readers: true);
    }

    [TearDown]
    public async Task TearDown()
    {
        await _api.DisposeAsync();
        _notifier.Dispose();
        _dir.Dispose();
    }

    /// <summary>Enqueues <paramref name="request"/> and takes it out to send, as the sender would.</summary>
    private string Start(Notices.NoticeRequest request)
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
