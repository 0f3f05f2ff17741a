using System.Numerics;

namespace ImeiEir.Core;

/// <summary>
/// Keeps the answer path from reporting the same attach of a grey or black device over and over: a device attaches
/// many times a day, the notices it can cause (a grey start for a new subscriber, a blocked-attach notice) at most once
/// a day. <see cref="ShouldReport"/> is true the first time it sees an (IMEI, IMSI, kind) on a day, false after.
/// <para>
/// A direct-mapped table of 64-bit fingerprints, one slot per hash, no chaining: lock-free (one volatile read and at
/// most one volatile write), allocation-free, fixed in size. It may forget (two pairs sharing a slot push each other
/// out) and, racing, two threads may both report: either costs one more sighting, never a lost or doubled notice,
/// since the registry and the outbox make each notice once by its key. It never wrongly stays silent except for the
/// 2^-63 chance of two pairs with the same fingerprint.
/// </para>
/// Days are the regime calendar's, so they turn at local midnight like the notice days.
/// </summary>
public sealed class AttachFilter
{
    private readonly long[] _slots;
    private readonly RegimeCalendar _calendar;
    private readonly int _shift;

    /// <param name="slots">Rounded up to a power of two, at least 2: 2^18 (2 MiB) keeps a day of a national network's grey and black attaches apart.</param>
    /// <param name="calendar">Whose days "once a day" counts; default the regime's default calendar (Asia/Almaty).</param>
    public AttachFilter(int slots, RegimeCalendar? calendar = null)
    {
        _calendar = calendar ?? RegimeCalendar.Default;
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(slots, 1 << 28);
        int size = (int)Math.Max(2, BitOperations.RoundUpToPowerOf2((uint)slots));
        _slots = new long[size];
        _shift = 64 - BitOperations.Log2((uint)size);
    }

    public int Slots => _slots.Length;

    /// <summary>True when this (IMEI, IMSI, kind) has not been reported on this local day (and it now counts as reported).</summary>
    public bool ShouldReport(ulong imeiKey, PackedImsi imsi, SightingKind kind, long nowUnixSeconds)
    {
        ulong day = (ulong)_calendar.LocalDayNumber(nowUnixSeconds);
        ulong hash = Mix(imeiKey ^ Mix((imsi.Value + ((ulong)imsi.Digits << 56)) ^ Mix((day << 8) | (byte)kind)));
        long fingerprint = (long)(hash | 1); // never 0, the empty slot
        ref long slot = ref _slots[(int)(hash >> _shift)];
        if (Volatile.Read(ref slot) == fingerprint) return false;
        Volatile.Write(ref slot, fingerprint);
        return true;
    }

    // MurmurHash3's 64-bit finalizer: every input bit moves every output bit, so the slot (top bits) and the
    // fingerprint depend on all of IMEI, IMSI, day and kind.
    private static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdUL;
        x ^= x >> 33;
        x *= 0xc4ceb9fe1a85ec53UL;
        x ^= x >> 33;
        return x;
    }
}
