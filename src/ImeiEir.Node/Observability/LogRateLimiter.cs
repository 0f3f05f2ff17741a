namespace ImeiEir.Node.Observability;

/// <summary>
/// Per-source log rate limiting: at most <c>linesPerInterval</c> lines of one kind (an event id) from one source (a
/// remote address) per interval; the rest are counted, and the first line allowed after the interval brings the count
/// along so the caller can write "N more like this from ADDR suppressed". One client reconnecting and sending garbage
/// in a loop thus writes a few lines a minute instead of megabytes.
/// <para>
/// Memory is a fixed table of <c>maxEntries</c> slots, never grown: a (source, kind) hashes to a slot and probes a few
/// neighbours; when all are taken by others the least recently used one is reused (its pending count is lost, its
/// source starts afresh). Only error and connect paths call it, never the answer path, so a short lock is fine.
/// </para>
/// <code>
/// slot: | source | kind | window start | lines in window | suppressed in window | last used |
/// </code>
/// </summary>
internal sealed class LogRateLimiter
{
    /// <summary>Lines of one kind from one source per interval. Default 5.</summary>
    public const int DefaultLinesPerInterval = 5;

    /// <summary>Default 60 s.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(60);

    /// <summary>(source, kind) pairs tracked at once. Default 4,096: under 1 MB with the address strings they hold.</summary>
    public const int DefaultMaxEntries = 4096;

    private const int Probes = 8;

    private struct Slot
    {
        public string? Source;
        public int Kind;
        public long WindowStart;
        public int Lines;
        public int Suppressed;
        public long LastUsed;
    }

    private readonly Slot[] _slots;
    private readonly int _mask;
    private readonly int _linesPerInterval;
    private readonly long _intervalTicks;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();

    public LogRateLimiter(TimeProvider time, int linesPerInterval = DefaultLinesPerInterval, TimeSpan? interval = null,
        int maxEntries = DefaultMaxEntries)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(linesPerInterval, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, Probes);
        _time = time;
        _linesPerInterval = linesPerInterval;
        _intervalTicks = (long)((interval ?? DefaultInterval).TotalSeconds * time.TimestampFrequency);
        int size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)maxEntries);
        _slots = new Slot[size];
        _mask = size - 1;
    }

    /// <summary>Lines of one kind from one source allowed per <see cref="Interval"/>.</summary>
    public int LinesPerInterval => _linesPerInterval;

    /// <summary>The window over which lines are counted.</summary>
    public TimeSpan Interval => TimeSpan.FromSeconds((double)_intervalTicks / _time.TimestampFrequency);

    /// <summary>Slots in the table: the bound on memory.</summary>
    public int Capacity => _slots.Length;

    /// <summary>
    /// True when a line of <paramref name="kind"/> from <paramref name="source"/> may be written now;
    /// <paramref name="suppressed"/> is then the number dropped since the last one written (write the summary first).
    /// </summary>
    public bool ShouldLog(string source, int kind, out int suppressed)
    {
        long now = _time.GetTimestamp();
        lock (_gate)
        {
            ref Slot slot = ref Find(source, kind, now);
            slot.LastUsed = now;
            suppressed = 0;
            if (now - slot.WindowStart >= _intervalTicks)
            {
                suppressed = slot.Suppressed;
                slot.WindowStart = now;
                slot.Lines = 0;
                slot.Suppressed = 0;
            }

            if (slot.Lines < _linesPerInterval)
            {
                slot.Lines++;
                return true;
            }

            slot.Suppressed++;
            return false;
        }
    }

    /// <summary>
    /// The address part of a remote end point's text ("10.0.0.7:41234" → "10.0.0.7", "[::1]:41234" → "[::1]"), so
    /// every connection of one client counts as one source whatever its port.
    /// </summary>
    public static string SourceOf(string? remote)
    {
        if (string.IsNullOrEmpty(remote))
        {
            return "(unknown)";
        }

        int colon = remote.LastIndexOf(':');
        if (colon <= 0)
        {
            return remote;
        }

        // An unbracketed IPv6 address has several colons and no port to strip.
        bool bracketed = remote[colon - 1] == ']';
        return bracketed || remote.IndexOf(':') == colon ? remote[..colon] : remote;
    }

    private ref Slot Find(string source, int kind, long now)
    {
        int start = HashCode.Combine(string.GetHashCode(source, StringComparison.Ordinal), kind) & _mask;
        int victim = start;
        for (int i = 0; i < Probes; i++)
        {
            int index = (start + i) & _mask;
            ref Slot slot = ref _slots[index];
            if (slot.Source is null)
            {
                victim = index;
                break;
            }

            if (slot.Kind == kind && string.Equals(slot.Source, source, StringComparison.Ordinal))
            {
                return ref slot;
            }

            if (slot.LastUsed < _slots[victim].LastUsed)
            {
                victim = index;
            }
        }

        ref Slot taken = ref _slots[victim];
        taken = new Slot { Source = source, Kind = kind, WindowStart = now - _intervalTicks, LastUsed = now };
        return ref taken;
    }
}
