using System.Text;
using ImeiEir.Core;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImeiEir.Registry.Tests;

internal static class TestData
{
    public const string AdminToken = "admin-token-0123456789abcdef";
    public const string ReaderToken = "reader-token-0123456789abcdef";

    /// <summary>The 15-digit form of a synthetic IMEI: TAC 35000000 + serial.</summary>
    public static Imei Imei(long serial) => Core.Imei.FromKey(35_000_000_000_000UL + (ulong)serial);

    public static string Text(long serial) => Imei(serial).ToString();

    public static RegistryOptions Options(Action<RegistryOptions>? configure = null)
    {
        var options = new RegistryOptions
        {
            AdminToken = AdminToken,
            ReaderToken = ReaderToken,
            ExpectedRecords = 1 << 14,
            HeartbeatInterval = TimeSpan.FromMilliseconds(200),
        };
        configure?.Invoke(options);
        return options;
    }

    public static Task<RegistryService> OpenAsync(string directory, RegistryOptions? options = null, TimeProvider? time = null) =>
        RegistryService.OpenAsync(options ?? Options(), directory, time ?? TimeProvider.System, NullLogger.Instance, CancellationToken.None);

    public static Task<DeltaBatch> Csv(string text, int maxLines = 1_000_000) =>
        DeltaParser.ParseCsvAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), maxLines, CancellationToken.None);

    public static Task<DeltaBatch> Ndjson(string text, int maxLines = 1_000_000) =>
        DeltaParser.ParseNdjsonAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), maxLines, CancellationToken.None);

    public static async Task<DeltaReport> PushCsvAsync(RegistryService registry, string text, bool partial = false)
    {
        DeltaBatch batch = await Csv(text);
        Assert.That(batch.Failure, Is.Null, () => batch.Failure!.Detail);
        return await registry.ApplyAsync(batch, partial, CancellationToken.None);
    }

    public static async Task<List<Change>> ReadAllAsync(RegistryService registry, ulong after = 0)
    {
        var all = new List<Change>();
        var buffer = new Change[100];
        while (true)
        {
            int count = await registry.ReadChangesAsync(after, buffer, TimeSpan.Zero, CancellationToken.None);
            if (count == 0) return all;
            all.AddRange(buffer.Take(count));
            after = buffer[count - 1].Sequence;
        }
    }
}
