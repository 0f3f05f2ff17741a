using ImeiEir.Notify.Notices;
using ImeiEir.Notify.Subscribers;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Notify.Tests;

/// <summary><c>eirctl subscribers import</c> and <c>eirctl notices</c> (the real eirctl.dll) against MapNotifyApi.</summary>
public class EirctlTests
{
    private TempDirectory _dir = null!;
    private Notifier _notifier = null!;
    private ApiHost _api = null!;

    [SetUp]
    public async Task SetUp()
    {
        _dir = new TempDirectory();
        _notifier = await TestData.OpenAsync(Path.Combine(_dir.Path, "notify"), new FakeTimeProvider(TestData.Start));
        _api = await ApiHost.StartAsync(_notifier);
    }

    [TearDown]
    public async Task TearDown()
    {
        await _api.DisposeAsync();
        _notifier.Dispose();
        _dir.Dispose();
    }

    private (int ExitCode, string Stdout, string Transcript) Eirctl(params string[] args) =>
        ChildProcess.RunDll("eirctl.dll", [.. args, "--registry", _api.Url.ToString(), "--token", ApiHost.AdminToken]);

    private string WriteFile(string name, string text)
    {
        string path = Path.Combine(_dir.Path, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Test]
    public void Subscribers_import_reports_the_counts_and_the_released_notices()
    {
        _notifier.Outbox.Enqueue(TestData.Grey());
        string file = WriteFile("subscribers.csv", TestData.DirectoryCsv);
        (int exit, string stdout, string transcript) = Eirctl("subscribers", "import", file);
        Assert.That(exit, Is.Zero, transcript);
        Assert.That(stdout.Trim(), Is.EqualTo("subscribers.csv: 2 added, 0 replaced, 0 unchanged; 2 subscribers in the directory; 1 parked notice(s) released"), transcript);
        Assert.That(_notifier.Subscribers.TryGet(TestData.KkImsi, out Subscriber? kk) ? kk.Language : default, Is.EqualTo(NoticeLanguage.Kazakh));
    }

    [Test]
    public void Subscribers_import_of_a_bad_file_prints_every_bad_line_and_exits_2()
    {
        string file = WriteFile("bad.csv", $"imsi,msisdn,iin,language\n{TestData.RuImsi},{TestData.RuMsisdn},{TestData.Iin},ru\n{TestData.KkImsi},{TestData.KkMsisdn},{TestData.Iin},kz\n123,{TestData.KkMsisdn},{TestData.Iin},kk\n");
        (int exit, string stdout, string transcript) = Eirctl("subscribers", "import", file);
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(2), transcript);
            Assert.That(stdout, Does.Contain("bad.csv:3: language 'kz' is not ru or kk (Kazakh is kk)"), transcript);
            Assert.That(stdout, Does.Contain("bad.csv:4: imsi '123' is not 5 to 15 digits"), transcript);
            Assert.That(stdout, Does.Contain("nothing imported: 2 bad line(s)"), transcript);
            Assert.That(_notifier.Subscribers.Count, Is.Zero);
        });
    }

    [Test]
    public async Task Notices_by_imei_or_msisdn_list_each_notice_with_its_state()
    {
        await TestData.ImportAsync(_notifier, TestData.DirectoryCsv);
        _notifier.Outbox.Enqueue(TestData.Grey());
        _notifier.Outbox.Enqueue(TestData.Grey(TestData.KkImsi));
        _notifier.Outbox.Enqueue(new NoticeRequest(NoticeKind.Blacklisted, TestData.Device(5), "401010000000009", 0, TestData.Day));

        (int exit, string stdout, string transcript) = Eirctl("notices", "352099001761481");
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero, transcript);
            Assert.That(stdout, Does.Contain($"grey-start pending: IMEI 352099001761481 IMSI {TestData.RuImsi} to {TestData.RuMsisdn} (ru)"), transcript);
            Assert.That(stdout, Does.Contain($"grey-start pending: IMEI 352099001761481 IMSI {TestData.KkImsi} to {TestData.KkMsisdn} (kk)"), transcript);
            Assert.That(stdout, Does.Contain("  deadline  2026-12-24T00:00:00+05:00"), transcript);
            Assert.That(stdout, Does.Contain("  text      Перезагрузите устройство"), transcript);
            Assert.That(stdout, Does.Contain("\n            Чтобы получить полный доступ"), "the text's second line is indented");
            Assert.That(stdout.TrimEnd(), Does.EndWith("2 notice(s) for 352099001761481"), transcript);
        });

        (exit, stdout, transcript) = Eirctl("notices", "+" + TestData.KkMsisdn, "--no-text");
        Assert.That(exit, Is.Zero, transcript);
        Assert.That(stdout, Does.Contain($"IMSI {TestData.KkImsi}").And.Not.Contain($"IMSI {TestData.RuImsi}").And.Not.Contain("text "), transcript);

        (exit, stdout, transcript) = Eirctl("notices", TestData.Device(5).ToString());
        Assert.That(stdout, Does.Contain("blacklisted parked: ").And.Contain("no subscriber yet"), transcript);

        (exit, stdout, transcript) = Eirctl("notices", "12AB");
        Assert.That(exit, Is.EqualTo(1), transcript);
    }
}
