using System.Diagnostics;

namespace ImeiEir.Tools.EirLoad;

/// <summary>
/// The open loop's clock: one thread for every connection, which wakes every <see cref="LoadOptions.Tick"/> and has
/// each connection write the requests that have fallen due (<see cref="LoadConnection.SendDue"/>).
/// <para>
/// One thread and one short sleep for the whole load, not a timer per connection: a .NET timer fires on a
/// millisecond's grain through the thread pool, so with 50 connections at depth 1 the earlier sender kept about one
/// request per connection every 4 ms whatever rate was asked (12k/s of 41k/s), and every request waited that long.
/// A request the window could not take when it fell due is written by the connection's receiver as soon as an
/// answer frees a place, not at the next tick.
/// </para>
/// </summary>
internal static class OpenLoopPacer
{
    private const double WritesPerSecondBudget = 50_000;

    /// <summary>
    /// 100 µs, so a request waits at most about that long past its due time for the pacer. Each wake-up costs a
    /// write per connection with something due, so above 50k requests/s the tick grows (to at most 1 ms) until the
    /// connections' writes come to about 50k/s, each carrying several requests: at <c>-c 50</c> and 630k/s a 100 µs
    /// tick meant ~500k writes/s, more than the generator's core could do, and the run fell behind its schedule.
    /// </summary>
    public static TimeSpan DefaultTick(double rate, int connections) =>
        rate <= WritesPerSecondBudget
            ? TimeSpan.FromMicroseconds(100)
            : TimeSpan.FromSeconds(Math.Clamp(connections / WritesPerSecondBudget, 100e-6, 1e-3));

    /// <summary>
    /// Runs the pacer on a thread of its own until the run stops issuing or every connection has sent its quota.
    /// <paramref name="lateness"/> gets, for each wake-up after the warm-up, how much later than planned it came
    /// (planned: the previous wake-up plus the tick): the generator's own lateness, which the send wait mixes with
    /// the server's (a full window).
    /// </summary>
    public static Task RunAsync(LoadConnection[] peers, RunControl run, TimeSpan tick, LatencyHistogram lateness)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int microseconds = (int)Math.Clamp(tick.TotalMicroseconds, 1, 1_000_000);
        var thread = new Thread(() =>
        {
            try
            {
                Pace(peers, run, microseconds, lateness);
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "eirload pacer",
        };
        thread.Start();
        return done.Task;
    }

    private static void Pace(LoadConnection[] peers, RunControl run, int tickMicroseconds, LatencyHistogram lateness)
    {
        PacerSleep.PrepareThisThread();
        long tickTicks = RunControl.ToTicks(TimeSpan.FromMicroseconds(tickMicroseconds));
        long planned = 0;
        try
        {
            while (true)
            {
                long now = Stopwatch.GetTimestamp();
                if (planned != 0 && now >= run.WarmupEnd) lateness.Record(RunControl.ToNanoseconds(Math.Max(0, now - planned)));
                bool anySending = false;
                foreach (LoadConnection peer in peers)
                    anySending |= peer.SendDue(now);
                if (!anySending || run.StopIssuing) break;
                planned = Stopwatch.GetTimestamp() + tickTicks;
                PacerSleep.Sleep(tickMicroseconds);
            }
        }
        finally
        {
            // Whatever the schedule still owed when sending stopped is counted, then the receivers may finish
            // (also if the pacer failed: they would otherwise wait for it for ever).
            foreach (LoadConnection peer in peers) peer.EndOpenLoop(run.StoppedAt);
        }
    }
}
