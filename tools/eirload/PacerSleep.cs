using System.Runtime.InteropServices;

namespace ImeiEir.Tools.EirLoad;

/// <summary>
/// Sub-millisecond sleeps for the open loop's pacer. <see cref="Thread.Sleep(int)"/> and timers have a millisecond's
/// grain, and a request held back a millisecond waits that long in the latency it reports (counted from its scheduled
/// time), so on Linux the pacer sleeps with <c>clock_nanosleep</c> and asks for a timer slack of one microsecond
/// (the default 50 µs would stretch every tick by up to that much). Elsewhere it falls back to a 1 ms sleep.
/// </summary>
internal static partial class PacerSleep
{
    private const int ClockMonotonic = 1;
    private const int PrSetTimerSlack = 29;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_nanosleep")]
    private static partial int ClockNanosleep(int clock, int flags, in TimeSpec request, IntPtr remaining);

    [LibraryImport("libc", EntryPoint = "prctl")]
    private static partial int Prctl(int option, nuint argument2, nuint argument3, nuint argument4, nuint argument5);

    /// <summary>Call on the pacer's own thread before its first sleep: the slack is per thread.</summary>
    public static void PrepareThisThread()
    {
        if (OperatingSystem.IsLinux()) Prctl(PrSetTimerSlack, 1_000, 0, 0, 0);
    }

    /// <summary>Sleeps about <paramref name="microseconds"/> (at least 1 ms where only millisecond sleeps exist).</summary>
    public static void Sleep(int microseconds)
    {
        if (!OperatingSystem.IsLinux())
        {
            Thread.Sleep(Math.Max(1, microseconds / 1000));
            return;
        }
        var request = new TimeSpec { Seconds = microseconds / 1_000_000, Nanoseconds = microseconds % 1_000_000 * 1000L };
        ClockNanosleep(ClockMonotonic, 0, request, IntPtr.Zero); // EINTR only shortens one tick
    }
}
