using ImeiEir.Core;

namespace ImeiEir.Store.Tests;

internal static class TestData
{
    /// <summary>A spread of keys: i-th IMEI in a TAC range, with some structure in the SNR.</summary>
    public static Imei ImeiAt(int i) => Imei.FromKey(35_693_803_000_000UL + (ulong)i * 7919UL % 100_000_000_000UL);

    public static ImeiRecord RecordAt(int i) => (i % 3) switch
    {
        0 => new ImeiRecord(ListKind.White, Reason.Verified, 0, (ulong)i + 1),
        1 => new ImeiRecord(ListKind.Grey, Reason.Unverified, 1_800_000_000u + (uint)i, (ulong)i + 1),
        _ => new ImeiRecord(ListKind.Black, Reason.Stolen, 0, (ulong)i + 1),
    };
}
