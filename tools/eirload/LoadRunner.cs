using System.Diagnostics;

namespace ImeiEir.Tools.EirLoad;

/// <summary>Connects every peer, runs the load, watches the clock and timeouts, and merges what each connection saw.</summary>
internal static class LoadRunner
{
    private static readonly TimeSpan MonitorInterval = TimeSpan.FromMilliseconds(20);

    public static async Task<LoadReport> RunAsync(LoadOptions options, CancellationToken cancel)
    {
        var run = new RunControl();
        int connections = options.Connections;
        var connecting = new Task<LoadConnection>[connections];
        for (int i = 0; i < connections; i++)
        {
            long quota = options.Count is { } count ? count / connections + (i < count % connections ? 1 : 0) : long.MaxValue;
            connecting[i] = LoadConnection.ConnectAsync(i, options, run, quota, cancel);
        }
        try
        {
            await Task.WhenAll(connecting);
        }
        catch
        {
            foreach (Task<LoadConnection> task in connecting)
                if (task.IsCompletedSuccessfully) await task.Result.DisposeAsync();
            throw connecting.Select(t => t.Exception?.InnerException).OfType<LoadException>().FirstOrDefault()
                  ?? connecting.Select(t => t.Exception?.InnerException).First(e => e is not null)!;
        }

        LoadConnection[] peers = connecting.Select(t => t.Result).ToArray();
        try
        {
            run.Begin(Stopwatch.GetTimestamp(), options.Warmup, options.Duration);
            var pacerLateness = new LatencyHistogram();
            Task[] running;
            if (options.Rate is { } perSecond)
            {
                // Every schedule is set before the pacer's first tick.
                foreach (LoadConnection peer in peers) peer.BeginOpenLoop(perSecond / connections);
                TimeSpan tick = options.Tick ?? OpenLoopPacer.DefaultTick(perSecond, connections);
                running = [.. peers.Select(p => Task.Run(p.RunOpenLoopAsync)), OpenLoopPacer.RunAsync(peers, run, tick, pacerLateness)];
            }
            else
            {
                running = peers.Select(p => Task.Run(p.RunClosedLoopAsync)).ToArray();
            }
            Task all = Task.WhenAll(running);

            long timeoutTicks = RunControl.ToTicks(options.Timeout);
            while (!all.IsCompleted)
            {
                await Task.WhenAny(all, Task.Delay(MonitorInterval));
                long now = Stopwatch.GetTimestamp();
                if (!run.StopIssuing && (now >= run.WindowEnd || cancel.IsCancellationRequested))
                    run.Stop();
                foreach (LoadConnection peer in peers) peer.CheckTimeout(now, timeoutTicks);
            }
            await all;
            long end = Stopwatch.GetTimestamp();
            long windowEnd = Math.Min(end, run.WindowEnd);
            return LoadReport.From(options, peers.Select(p => p.Stats).ToArray(),
                Stopwatch.GetElapsedTime(run.Start, end), Stopwatch.GetElapsedTime(run.WarmupEnd, Math.Max(run.WarmupEnd, windowEnd)), pacerLateness);
        }
        finally
        {
            foreach (LoadConnection peer in peers) await peer.DisposeAsync();
        }
    }
}
