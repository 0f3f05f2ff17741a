using ImeiEir.Core;
using ImeiEir.Notify.Notices;
using ImeiEir.Notify.Subscribers;

namespace ImeiEir.Notify.Tests;

/// <summary>Shared values: a device, subscribers in both languages, a deadline, and outboxes over temp directories.</summary>
internal static class TestData
{
    /// <summary>352099001761481 with its check digit.</summary>
    public static readonly Imei Imei = Imei.Parse("35209900176148");

    public const string RuImsi = "401011234567890";
    public const string RuMsisdn = "77011234567";
    public const string KkImsi = "401019876543210";
    public const string KkMsisdn = "77027654321";
    public const string Iin = "900101300123";

    /// <summary>2026-12-24T00:00:00+05:00 (Asia/Almaty).</summary>
    public const uint Deadline = 1_798_052_400;

    public static readonly DateOnly Day = new(2026, 11, 24);

    /// <summary>2026-11-24T09:00:00Z = 14:00 in Almaty.</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);

    public static string DirectoryCsv =>
        $"imsi,msisdn,iin,language\n{RuImsi},{RuMsisdn},{Iin},ru\n{KkImsi},{KkMsisdn},{Iin},kk\n";

    public static NoticeRequest Grey(string imsi = RuImsi, Imei? imei = null) =>
        new(NoticeKind.GreyStart, imei ?? Imei, imsi, Deadline, Day);

    /// <summary>A device numbered <paramref name="n"/> (valid check digit by construction).</summary>
    public static Imei Device(int n) => Imei.FromKey(35_000_000_000_000UL + (ulong)n);

    public static NotifyOptions Options(string dataDirectory, Action<NotifyOptions>? configure = null)
    {
        var options = new NotifyOptions { DataDirectory = dataDirectory };
        configure?.Invoke(options);
        return options;
    }

    public static async Task<Notifier> OpenAsync(string dataDirectory, TimeProvider time, Action<NotifyOptions>? configure = null) =>
        await Notifier.OpenAsync(Options(dataDirectory, configure), time);

    public static async Task ImportAsync(Notifier notifier, string csv)
    {
        SubscriberImportReport report = await notifier.Subscribers.ImportAsync(new StringReader(csv));
        Assert.That(report.Accepted, Is.True, string.Join("; ", report.Errors));
    }
}
