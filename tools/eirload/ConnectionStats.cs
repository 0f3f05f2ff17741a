using System.Runtime.InteropServices;

namespace ImeiEir.Tools.EirLoad;

/// <summary>
/// What one connection saw. Written only by that connection's receiving side, read after the run: no sharing,
/// no locks. The dictionaries get their few keys during the first answers and are only incremented after that.
/// </summary>
internal sealed class ConnectionStats
{
    public const int NoStatus = 3;
    private const int MaxMessages = 8;

    public LatencyHistogram Latency { get; } = new();

    /// <summary>
    /// Open loop: how long after its due time each request was written (by whoever sent it). Part of its latency:
    /// the generator's own lateness, and, when all <c>-P</c> were in flight, the wait for an answer to free one.
    /// </summary>
    public LatencyHistogram SendWait { get; } = new();

    /// <summary>Requests written.</summary>
    public long Sent;

    /// <summary>Answers received and matched to a request.</summary>
    public long Answered;

    /// <summary>Answers received inside the measurement window (after warm-up, before the end).</summary>
    public long AnsweredInWindow;

    public long Mismatches;
    public long Errors;
    public long Timeouts;

    /// <summary>Requests still outstanding when the connection ended for another reason than a timeout.</summary>
    public long Unanswered;

    /// <summary>Open loop: requests due by the time sending stopped that were never written (the rate was not kept).</summary>
    public long BehindSchedule;

    /// <summary>Socket reads whose continuation ran on a thread-pool thread, and elsewhere (the socket engine's epoll threads).</summary>
    public long ReadsOnThreadPool;

    public long ReadsOffThreadPool;

    /// <summary>Equipment-Status 0, 1, 2 and "none" (no Equipment-Status AVP).</summary>
    public long[] EquipmentStatus { get; } = new long[4];

    public Dictionary<uint, long> ResultCodes { get; } = [];

    public Dictionary<uint, long> ExperimentalResultCodes { get; } = [];

    public List<string> Messages { get; } = [];

    public void CountResultCode(uint code) => CollectionsMarshal.GetValueRefOrAddDefault(ResultCodes, code, out _)++;

    public void CountExperimental(uint code) => CollectionsMarshal.GetValueRefOrAddDefault(ExperimentalResultCodes, code, out _)++;

    /// <summary>Counts an error and keeps its description (the first few only).</summary>
    public void Error(string message)
    {
        Errors++;
        Note(message);
    }

    public void Note(string message)
    {
        if (Messages.Count < MaxMessages) Messages.Add(message);
    }
}
