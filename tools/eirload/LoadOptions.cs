using System.Net;

namespace ImeiEir.Tools.EirLoad;

/// <summary>One eirload run, as parsed from the command line.</summary>
internal sealed record LoadOptions
{
    /// <summary>The EIR's Diameter endpoint.</summary>
    public required IPEndPoint Target { get; init; }

    /// <summary>TCP connections (Diameter peers), each with its own CER. Default 1.</summary>
    public int Connections { get; init; } = 1;

    /// <summary>Requests in flight per connection (pipeline depth). Default 1.</summary>
    public int Depth { get; init; } = 1;

    /// <summary>How long to send requests; null when only <see cref="Count"/> bounds the run.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Total requests over all connections; null when only <see cref="Duration"/> bounds the run.</summary>
    public long? Count { get; init; }

    /// <summary>Open loop: requests per second over all connections, on a fixed schedule; null = closed loop (as fast as answers come).</summary>
    public double? Rate { get; init; }

    /// <summary>Open loop: how often the pacer wakes to write what has fallen due; null = <see cref="OpenLoopPacer.DefaultTick"/>.</summary>
    public TimeSpan? Tick { get; init; }

    /// <summary>Time at the start whose answers are tallied but kept out of latency and throughput (JIT, caches). Default 0.</summary>
    public TimeSpan Warmup { get; init; }

    /// <summary>How long an answer may take before the connection counts its outstanding requests as timeouts and stops. Default 5 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    public required RequestSource Source { get; init; }

    /// <summary>User-Name (IMSI) sent in every ECR; null = none (the EIR then treats the subscriber as a home one).</summary>
    public string? Imsi { get; init; }

    public string OriginHost { get; init; } = "eirload.localdomain";

    public string Realm { get; init; } = "localdomain";

    /// <summary>Seed of the key choice (each connection derives its own generator from it).</summary>
    public ulong Seed { get; init; } = 1;
}
