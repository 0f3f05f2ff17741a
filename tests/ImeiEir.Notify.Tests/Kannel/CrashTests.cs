using System.Globalization;
using ImeiEir.Core;
using ImeiEir.Notify.Notices;
using ImeiEir.Notify.Subscribers;

namespace ImeiEir.Notify.Tests.Kannel;

/// <summary>
/// kill -9 between "Kannel accepted" and "recorded as sent": the notifier runs in a child process
/// (ImeiEir.Notify.CrashHost) that SIGKILLs itself at exactly that point; a second run finishes the outbox. The
/// documented guarantee is at most one duplicate per notice in flight at the crash, and with one send at a time at
/// most one per crash: this test pins that number at exactly one, and no loss.
/// </summary>
public class CrashTests
{
    private const string Imsi = "401017000000003";
    private const string Msisdn = "77017000003";

    private TempDirectory _dir = null!;

    private static KannelGateway Gateway => KannelSetUp.Gateway;

    [SetUp]
    public void SetUp() => _dir = new TempDirectory();

    [TearDown]
    public void TearDown() => _dir.Dispose();

    private ChildProcess Host(IEnumerable<string> extra) => ChildProcess.StartDll("ImeiEir.Notify.CrashHost.dll",
    [
        "--data", _dir.Path, "--sendsms", Gateway.SendSmsUrl, "--user", KannelGateway.User, "--password", KannelGateway.Password,
        "--from", "1414", "--seconds", "30", .. extra,
    ]);

    [Test]
    public async Task Killed_between_send_and_record_the_notice_in_flight_is_sent_exactly_twice_and_no_other_is_lost_or_repeated()
    {
        SubscriberDirectory directory = await SubscriberDirectory.OpenAsync(_dir.Path);
        await directory.ImportAsync(new StringReader($"{Imsi},{Msisdn},{TestData.Iin},ru\n"));
        Imei[] devices = [TestData.Device(31), TestData.Device(32), TestData.Device(33)];
        string[] notices = [.. devices.Select(d => string.Create(CultureInfo.InvariantCulture, $"Blacklisted,{d},{Imsi},0,2026-11-24"))];

        using (ChildProcess first = Host([.. notices.SelectMany(n => new[] { "--notice", n }), "--crash-after-send", "2"]))
        {
            Assert.That(first.WaitForExit(TimeSpan.FromSeconds(60)), Is.True, "the first run ends within 60 s\n" + first.Transcript);
            Assert.That(first.ExitCode, Is.EqualTo(128 + 9), "killed by SIGKILL\n" + first.Transcript);
            Assert.That(first.Stdout, Does.Contain("enqueued 3 of 3").And.Contain($"SIGKILL after sending black-{devices[1]}-{Imsi}"), first.Transcript);
        }
        await Wait.UntilAsync(() => Gateway.ReceivedBy(Msisdn).Count >= 2, "the two SMS Kannel accepted before the kill", seconds: 20);

        using (ChildProcess second = Host([]))
        {
            Assert.That(second.WaitForExit(TimeSpan.FromSeconds(60)), Is.True, "the second run ends within 60 s\n" + second.Transcript);
            Assert.That(second.ExitCode, Is.Zero, second.Transcript);
            Assert.That(second.Stdout, Does.Contain("opened, 3 notices, 1 to resend"), second.Transcript);
        }
        await Wait.UntilAsync(() => Gateway.ReceivedBy(Msisdn).Count >= 4, "the resent and the third SMS", seconds: 20);
        // Both runs are over; an SMS through Kannel after them arrives after anything more it accepted from them.
        await Gateway.SendAndAwaitAsync("77017000093", "after both runs");

        List<ReceivedSms> received = Gateway.ReceivedBy(Msisdn);
        int[] copies = [.. devices.Select(d => received.Count(r => r.Text.StartsWith($"Устройство с IMEI {d} внесено в «черный список»", StringComparison.Ordinal)))];
        Assert.Multiple(() =>
        {
            Assert.That(copies, Is.EqualTo(new[] { 1, 2, 1 }), "only the notice in flight at the kill came twice");
            Assert.That(received.Count - devices.Length, Is.EqualTo(1), "duplicates per crash (the documented bound)");
        });

        // The journal agrees: every notice sent, the one in flight attempted twice.
        NotifyOptions options = TestData.Options(_dir.Path);
        using Notifier after = await Notifier.OpenAsync(options, TimeProvider.System);
        NoticeView[] views = [.. devices.Select(d => after.Outbox.FindByImei(d).Single())];
        Assert.That(views.Select(v => (v.State, v.Attempts)), Is.EqualTo(new[] { (NoticeState.Sent, 1), (NoticeState.Sent, 2), (NoticeState.Sent, 1) }));
    }
}
