using System.Collections.Concurrent;
using System.Diagnostics;
using Prometheus;

namespace ImeiEir.Node.Observability;

/// <summary>
/// This process's Prometheus metrics, in a registry of its own (not prometheus-net's static default) so two hosts in
/// one process — tests run a registry and nodes side by side — never add up each other's counts.
/// <para>
/// The S13 path never touches a Prometheus object: each connection counts into its own <see cref="ConnectionMeter"/>
/// and the differences are published here when /metrics is scraped. HTTP requests (far slower) record directly.
/// </para>
/// </summary>
public sealed class NodeMetrics
{
    private readonly ConcurrentDictionary<ConnectionMeter, byte> _meters = new();
    private readonly Counter.Child[,] _answers;
    private readonly Histogram.Child[] _durations;
    private readonly Gauge _connections;
    private readonly object _publishGate = new();

    public NodeMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        DotNetStats.Register(Registry);
        Factory = Metrics.WithCustomRegistry(Registry);

        Counter answers = Factory.CreateCounter("imeieir_answers_total",
            "Answers to equipment checks, by interface (s13, n5g, lookup) and status.",
            new CounterConfiguration { LabelNames = ["interface", "status"] });
        Histogram durations = Factory.CreateHistogram("imeieir_request_duration_seconds",
            "Time from a request's bytes being read (S13) or its arrival (HTTP) to its answer being written.",
            new HistogramConfiguration { LabelNames = ["interface"], Buckets = LatencyBuckets.UpperBoundsSeconds });
        _connections = Factory.CreateGauge("imeieir_diameter_connections", "Diameter peer connections open now.");

        var interfaces = Enum.GetValues<AnswerInterface>();
        _answers = new Counter.Child[interfaces.Length, AnswerKinds.Count];
        _durations = new Histogram.Child[interfaces.Length];
        foreach (AnswerInterface i in interfaces)
        {
            _durations[(int)i] = durations.WithLabels(Label(i));
            for (int k = 0; k < AnswerKinds.Count; k++)
                _answers[(int)i, k] = answers.WithLabels(Label(i), AnswerKinds.Label((AnswerKind)k));
        }
        Registry.AddBeforeCollectCallback(PublishConnectionMeters);
    }

    /// <summary>This process's registry, which /metrics serves.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>Creates further metrics in this process's registry.</summary>
    public IMetricFactory Factory { get; }

    /// <summary>A meter for a new Diameter connection; give it back with <see cref="CloseConnection"/>.</summary>
    internal ConnectionMeter OpenConnection()
    {
        var meter = new ConnectionMeter();
        _meters.TryAdd(meter, 0);
        _connections.Inc();
        return meter;
    }

    /// <summary>The connection ended: its last counts are published at the next scrape, then the meter is dropped.</summary>
    internal void CloseConnection(ConnectionMeter meter)
    {
        meter.Closed = true;
        _connections.Dec();
    }

    /// <summary>Counts one HTTP answer (thread-safe).</summary>
    internal void RecordHttp(AnswerInterface answerInterface, AnswerKind kind, long startTimestamp)
    {
        _answers[(int)answerInterface, (int)kind].Inc();
        _durations[(int)answerInterface].Observe(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds);
    }

    /// <summary>Publishes what the connections counted since the last scrape. Also called by tests.</summary>
    internal void PublishConnectionMeters()
    {
        lock (_publishGate) // two concurrent scrapes must not publish the same difference twice
        {
            foreach (ConnectionMeter meter in _meters.Keys)
            {
                bool closed = meter.Closed; // read first: counts read after it include everything before the close
                Publish(meter);
                if (closed) _meters.TryRemove(meter, out _);
            }
        }
    }

    private void Publish(ConnectionMeter meter)
    {
        const int s13 = (int)AnswerInterface.S13;
        for (int k = 0; k < AnswerKinds.Count; k++)
        {
            long now = Volatile.Read(ref meter.Answers[k]);
            long delta = now - meter.PublishedAnswers[k];
            if (delta > 0) _answers[s13, k].Inc(delta);
            meter.PublishedAnswers[k] = now;
        }
        for (int b = 0; b < LatencyBuckets.Count; b++)
        {
            long count = Volatile.Read(ref meter.BucketCounts[b]);
            long ticks = Volatile.Read(ref meter.BucketTicks[b]);
            long countDelta = count - meter.PublishedBucketCounts[b];
            long ticksDelta = ticks - meter.PublishedBucketTicks[b];
            if (countDelta <= 0) continue;
            // One observation per bucket with the mean of its new values: lands in the same bucket, keeps the sum.
            double mean = (double)ticksDelta / countDelta / Stopwatch.Frequency;
            _durations[s13].Observe(LatencyBuckets.ClampInto(b, mean), countDelta);
            meter.PublishedBucketCounts[b] = count;
            meter.PublishedBucketTicks[b] = ticks;
        }
    }

    private static string Label(AnswerInterface i) => i switch
    {
        AnswerInterface.S13 => "s13",
        AnswerInterface.N5g => "n5g",
        _ => "lookup",
    };
}
