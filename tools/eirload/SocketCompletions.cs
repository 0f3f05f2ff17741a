namespace ImeiEir.Tools.EirLoad;

/// <summary>
/// Where eirload's socket completions run. By default the .NET socket engine hands each completion from its epoll
/// thread to the thread pool: one more wake-up and thread hop per read, on the same cores as the server under test.
/// eirload does little per read (parse the answers, record latency, write the next requests), so it runs that work
/// on the epoll threads, as redis-benchmark does on its one event loop (the gain is measured in
/// perf-baselines/eirload-inline-P1.md and -P64.md).
/// </summary>
internal static class SocketCompletions
{
    /// <summary>The runtime reads this once, when the socket engine starts: set it before the first socket.</summary>
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Asks for inline completions unless the environment already chose (set it to 0 to keep the thread pool).</summary>
    public static void PreferInline()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable))) Environment.SetEnvironmentVariable(Variable, "1");
    }

    /// <summary>Called after each socket read completes: counts whether it continued on a pool thread or an I/O thread.</summary>
    public static void CountRead(ConnectionStats stats)
    {
        if (Thread.CurrentThread.IsThreadPoolThread) stats.ReadsOnThreadPool++;
        else stats.ReadsOffThreadPool++;
    }
}
