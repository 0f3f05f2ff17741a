using System.Diagnostics;

namespace ImeiEir.Tools.EirLoad;

/// <summary>The clock of one run, shared by every connection: when it started, when measuring starts and ends, and whether to stop sending.</summary>
internal sealed class RunControl
{
    private static readonly double s_nanosecondsPerTick = 1e9 / Stopwatch.Frequency;

    private volatile bool _stopIssuing;

    /// <summary>Stopwatch timestamp of the start (the open loop's schedule starts here).</summary>
    public long Start { get; private set; }

    /// <summary>Requests sent before this are kept out of latency; answers before it out of throughput.</summary>
    public long WarmupEnd { get; private set; }

    /// <summary>Answers after this are kept out of throughput (duration runs); long.MaxValue for count runs.</summary>
    public long WindowEnd { get; private set; } = long.MaxValue;

    /// <summary>No new requests (the duration is over, or the user pressed Ctrl+C).</summary>
    public bool StopIssuing => _stopIssuing;

    /// <summary>Stopwatch timestamp of <see cref="Stop"/>; long.MaxValue while the run is still issuing (or ended by its count).</summary>
    public long StoppedAt { get; private set; } = long.MaxValue;

    public void Begin(long now, TimeSpan warmup, TimeSpan? duration)
    {
        Start = now;
        WarmupEnd = now + ToTicks(warmup);
        WindowEnd = duration is { } d ? now + ToTicks(d) : long.MaxValue;
    }

    public void Stop()
    {
        StoppedAt = Stopwatch.GetTimestamp();
        _stopIssuing = true;
    }

    public static long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    public static long ToNanoseconds(long ticks) => Stopwatch.Frequency == 1_000_000_000 ? ticks : (long)(ticks * s_nanosecondsPerTick);
}
