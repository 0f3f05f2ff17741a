namespace ImeiEir.Node.Observability;

/// <summary>
/// Answer counts and latencies of one Diameter connection, written only by that connection's loop: plain
/// increments, no atomics, no shared cache lines, nothing allocated. <see cref="NodeMetrics"/> reads them when
/// /metrics is scraped (64-bit reads never tear on the platforms we run on; a count read a moment early is
/// reported at the next scrape) and publishes the differences.
/// </summary>
internal sealed class ConnectionMeter
{
    internal readonly long[] Answers = new long[AnswerKinds.Count];
    internal readonly long[] BucketCounts = new long[LatencyBuckets.Count];
    internal readonly long[] BucketTicks = new long[LatencyBuckets.Count];

    // What the last scrape published: owned by the scraping thread.
    internal readonly long[] PublishedAnswers = new long[AnswerKinds.Count];
    internal readonly long[] PublishedBucketCounts = new long[LatencyBuckets.Count];
    internal readonly long[] PublishedBucketTicks = new long[LatencyBuckets.Count];

    internal volatile bool Closed;

    /// <summary>Counts one answer that took <paramref name="elapsedTicks"/> Stopwatch ticks since its bytes were read.</summary>
    public void Record(AnswerKind kind, long elapsedTicks)
    {
        Answers[(int)kind]++;
        int bucket = LatencyBuckets.IndexOf(elapsedTicks);
        BucketCounts[bucket]++;
        BucketTicks[bucket] += elapsedTicks;
    }
}
