using System.Runtime.InteropServices;

namespace ImeiEir.Core;

/// <summary>
/// What the store keeps per IMEI: 16 blittable bytes, so FASTER stores it inline with no serializer.
/// <code>
///  0               8               12  13  14  15  16
///  +---------------+---------------+---+---+---+---+
///  | Sequence (u64)| Deadline (u32)|Lst|Rsn|Flg|spr|
///  +---------------+---------------+---+---+---+---+
/// </code>
/// Flags: bit 0 <see cref="IsPaired"/>. Records written before the flag existed have 0 there: not paired.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 1, Size = 16)]
public readonly record struct ImeiRecord
{
    /// <summary>The registry change sequence number that set this record; 0 for a local provisional record.</summary>
    public ulong Sequence { get; init; }

    /// <summary>Grey deadline in Unix seconds (UTC); 0 when the list is not grey. u32 lasts until 2106.</summary>
    public uint DeadlineUnixSeconds { get; init; }

    public ListKind List { get; init; }

    public Reason Reason { get; init; }

    private const byte PairedFlag = 1;
    private readonly byte _flags;

    /// <summary>
    /// The IMEI has rightful IMSIs (docs/ARCHITECTURE.md, rule 2a), kept in the store's pair table: only then does a
    /// check read that table, so an unpaired lookup pays nothing for pairing.
    /// </summary>
    public bool IsPaired
    {
        get => (_flags & PairedFlag) != 0;
        init => _flags = value ? (byte)(_flags | PairedFlag) : (byte)(_flags & ~PairedFlag);
    }

    public ImeiRecord(ListKind list, Reason reason, uint deadlineUnixSeconds = 0, ulong sequence = 0)
    {
        List = list;
        Reason = reason;
        DeadlineUnixSeconds = deadlineUnixSeconds;
        Sequence = sequence;
    }

    /// <summary>The grey deadline as a time, or null when there is none.</summary>
    public DateTimeOffset? Deadline => DeadlineUnixSeconds == 0 ? null : DateTimeOffset.FromUnixTimeSeconds(DeadlineUnixSeconds);
}
