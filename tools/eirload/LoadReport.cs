using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ImeiEir.Tools.EirLoad;

/// <summary>The merged outcome of a run, printed for people or as JSON for scripts.</summary>
internal sealed class LoadReport
{
    private static readonly double[] s_percentiles = [50, 90, 99, 99.9];
    private static readonly string[] s_statusNames = ["WHITELISTED", "BLACKLISTED", "GREYLISTED", "none"];

    public required LoadOptions Options { get; init; }
    public required LatencyHistogram Latency { get; init; }

    /// <summary>Open loop: due time to write, part of <see cref="Latency"/> (generator lateness and waits for a free window place).</summary>
    public required LatencyHistogram SendWait { get; init; }

    /// <summary>Open loop: how much later than planned the pacer woke (the generator's own lateness alone); empty in a closed loop.</summary>
    public required LatencyHistogram PacerLateness { get; init; }
    public long Sent { get; init; }
    public long Answered { get; init; }
    public long AnsweredInWindow { get; init; }
    public long Mismatches { get; init; }
    public long Errors { get; init; }
    public long Timeouts { get; init; }
    public long Unanswered { get; init; }

    /// <summary>Open loop: requests due before sending stopped that were never written. Their latency is missing from the histogram.</summary>
    public long BehindSchedule { get; init; }
    public long ReadsOnThreadPool { get; init; }
    public long ReadsOffThreadPool { get; init; }

    /// <summary>The runtime's inline-completions setting as the run saw it (see <see cref="SocketCompletions"/>).</summary>
    public string InlineCompletions { get; init; } = "";
    public required long[] EquipmentStatus { get; init; }
    public required SortedDictionary<uint, long> ResultCodes { get; init; }
    public required SortedDictionary<uint, long> ExperimentalResultCodes { get; init; }
    public required IReadOnlyList<string> Messages { get; init; }
    public TimeSpan Elapsed { get; init; }
    public TimeSpan Window { get; init; }

    /// <summary>Answers per second inside the measurement window.</summary>
    public double Throughput => Window.TotalSeconds > 0 ? AnsweredInWindow / Window.TotalSeconds : 0;

    /// <summary>True when every request got its expected answer.</summary>
    public bool Clean => Errors == 0 && Timeouts == 0 && Unanswered == 0 && Mismatches == 0;

    public static LoadReport From(LoadOptions options, ConnectionStats[] stats, TimeSpan elapsed, TimeSpan window, LatencyHistogram? pacerLateness = null)
    {
        var latency = new LatencyHistogram();
        var sendWait = new LatencyHistogram();
        var statuses = new long[4];
        var codes = new SortedDictionary<uint, long>();
        var experimental = new SortedDictionary<uint, long>();
        var messages = new List<string>();
        foreach (ConnectionStats s in stats)
        {
            latency.Add(s.Latency);
            sendWait.Add(s.SendWait);
            for (int i = 0; i < 4; i++) statuses[i] += s.EquipmentStatus[i];
            foreach ((uint code, long n) in s.ResultCodes) codes[code] = codes.GetValueOrDefault(code) + n;
            foreach ((uint code, long n) in s.ExperimentalResultCodes) experimental[code] = experimental.GetValueOrDefault(code) + n;
            foreach (string m in s.Messages) if (messages.Count < 20) messages.Add(m);
        }
        return new LoadReport
        {
            Options = options,
            Latency = latency,
            SendWait = sendWait,
            PacerLateness = pacerLateness ?? new LatencyHistogram(),
            Sent = stats.Sum(s => s.Sent),
            Answered = stats.Sum(s => s.Answered),
            AnsweredInWindow = stats.Sum(s => s.AnsweredInWindow),
            Mismatches = stats.Sum(s => s.Mismatches),
            Errors = stats.Sum(s => s.Errors),
            Timeouts = stats.Sum(s => s.Timeouts),
            Unanswered = stats.Sum(s => s.Unanswered),
            BehindSchedule = stats.Sum(s => s.BehindSchedule),
            ReadsOnThreadPool = stats.Sum(s => s.ReadsOnThreadPool),
            ReadsOffThreadPool = stats.Sum(s => s.ReadsOffThreadPool),
            InlineCompletions = Environment.GetEnvironmentVariable(SocketCompletions.Variable) ?? "",
            EquipmentStatus = statuses,
            ResultCodes = codes,
            ExperimentalResultCodes = experimental,
            Messages = messages,
            Elapsed = elapsed,
            Window = window,
        };
    }

    private string Mode => Options.Rate is { } rate ? $"open loop at {rate.ToString("0", CultureInfo.InvariantCulture)}/s" : "closed loop";

    public string ToText()
    {
        var b = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        b.Append(inv, $"eirload: {Options.Target}, {Options.Connections} connection(s) x depth {Options.Depth}, {Mode}, {Options.Source.Description}\n");
        b.Append(inv, $"  requests   {Sent} sent, {Answered} answered in {Elapsed.TotalSeconds:0.00} s\n");
        b.Append(inv, $"  throughput {Throughput:0} answers/s over {Window.TotalSeconds:0.00} s (after {Options.Warmup.TotalSeconds:0.#} s warm-up)\n");
        b.Append("  latency   ");
        foreach (double p in s_percentiles)
            b.Append(inv, $" p{p.ToString("0.#", inv)} {Micros(Latency.ValueAtPercentile(p))}");
        b.Append(inv, $" max {Micros(Latency.Max)} mean {Latency.Mean / 1000:0.0} us ({Latency.Count} samples{(Options.Rate is null ? ", from send" : ", from scheduled send")})\n");
        if (Options.Rate is not null)
        {
            b.Append(inv, $"  send wait  p50 {Micros(SendWait.ValueAtPercentile(50))} p99 {Micros(SendWait.ValueAtPercentile(99))} max {Micros(SendWait.Max)} (due time to write, part of the latency: this generator late, or all {Options.Depth} in flight)\n");
            b.Append(inv, $"  pacer late p50 {Micros(PacerLateness.ValueAtPercentile(50))} p99 {Micros(PacerLateness.ValueAtPercentile(99))} max {Micros(PacerLateness.Max)} ({PacerLateness.Count} wake-ups later than planned by that much: this machine's scheduling of the generator)\n");
        }
        b.Append("  Result-Code");
        foreach ((uint code, long n) in ResultCodes) b.Append(inv, $" {code}:{n}");
        foreach ((uint code, long n) in ExperimentalResultCodes) b.Append(inv, $" experimental-{code}:{n}");
        b.Append('\n');
        b.Append("  Equipment-Status");
        for (int i = 0; i < 4; i++) if (EquipmentStatus[i] > 0) b.Append(inv, $" {s_statusNames[i]}:{EquipmentStatus[i]}");
        b.Append('\n');
        b.Append(inv, $"  mismatches {Mismatches}, errors {Errors}, timeouts {Timeouts}, unanswered {Unanswered}\n");
        if (Options.Rate is { } asked && BehindSchedule > 0)
            b.Append(inv, $"  ! the rate was not kept: {BehindSchedule} requests fell due at {asked:0}/s and were never sent (the server answered too slowly for depth {Options.Depth}, or this machine could not write them); their latency is missing from the figures above\n");
        b.Append(inv, $"  socket reads {ReadsOffThreadPool} continued on the socket engine's threads, {ReadsOnThreadPool} on the thread pool ({SocketCompletions.Variable}={InlineCompletions})\n");
        foreach (string m in Messages) b.Append("  ! ").Append(m).Append('\n');
        return b.ToString();
    }

    private static string Micros(long nanoseconds) =>
        (nanoseconds / 1000.0).ToString(nanoseconds < 10_000_000 ? "0.0" : "0", CultureInfo.InvariantCulture) + "us";

    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("target", Options.Target.ToString());
            w.WriteNumber("connections", Options.Connections);
            w.WriteNumber("depth", Options.Depth);
            w.WriteString("mode", Options.Rate is null ? "closed" : "open");
            if (Options.Rate is { } rate) w.WriteNumber("rate", rate);
            w.WriteString("source", Options.Source.Description);
            w.WriteNumber("sent", Sent);
            w.WriteNumber("answered", Answered);
            w.WriteNumber("elapsed_s", Math.Round(Elapsed.TotalSeconds, 3));
            w.WriteNumber("window_s", Math.Round(Window.TotalSeconds, 3));
            w.WriteNumber("answered_in_window", AnsweredInWindow);
            w.WriteNumber("throughput_per_s", Math.Round(Throughput, 1));
            w.WriteStartObject("latency_us");
            w.WriteNumber("p50", Latency.ValueAtPercentile(50) / 1000.0);
            w.WriteNumber("p90", Latency.ValueAtPercentile(90) / 1000.0);
            w.WriteNumber("p99", Latency.ValueAtPercentile(99) / 1000.0);
            w.WriteNumber("p99_9", Latency.ValueAtPercentile(99.9) / 1000.0);
            w.WriteNumber("max", Latency.Max / 1000.0);
            w.WriteNumber("mean", Math.Round(Latency.Mean / 1000.0, 3));
            w.WriteNumber("samples", Latency.Count);
            w.WriteEndObject();
            if (Options.Rate is not null)
            {
                w.WriteStartObject("send_wait_us");
                w.WriteNumber("p50", SendWait.ValueAtPercentile(50) / 1000.0);
                w.WriteNumber("p99", SendWait.ValueAtPercentile(99) / 1000.0);
                w.WriteNumber("max", SendWait.Max / 1000.0);
                w.WriteEndObject();
                w.WriteStartObject("pacer_late_us");
                w.WriteNumber("p50", PacerLateness.ValueAtPercentile(50) / 1000.0);
                w.WriteNumber("p99", PacerLateness.ValueAtPercentile(99) / 1000.0);
                w.WriteNumber("max", PacerLateness.Max / 1000.0);
                w.WriteNumber("wakeups", PacerLateness.Count);
                w.WriteEndObject();
            }
            w.WriteStartObject("result_codes");
            foreach ((uint code, long n) in ResultCodes) w.WriteNumber(code.ToString(CultureInfo.InvariantCulture), n);
            w.WriteEndObject();
            w.WriteStartObject("experimental_result_codes");
            foreach ((uint code, long n) in ExperimentalResultCodes) w.WriteNumber(code.ToString(CultureInfo.InvariantCulture), n);
            w.WriteEndObject();
            w.WriteStartObject("equipment_status");
            for (int i = 0; i < 4; i++) w.WriteNumber(s_statusNames[i], EquipmentStatus[i]);
            w.WriteEndObject();
            w.WriteNumber("mismatches", Mismatches);
            w.WriteNumber("errors", Errors);
            w.WriteNumber("timeouts", Timeouts);
            w.WriteNumber("unanswered", Unanswered);
            if (Options.Rate is not null) w.WriteNumber("behind_schedule", BehindSchedule);
            w.WriteStartObject("socket_reads");
            w.WriteNumber("io_threads", ReadsOffThreadPool);
            w.WriteNumber("thread_pool", ReadsOnThreadPool);
            w.WriteString("inline_completions", InlineCompletions);
            w.WriteEndObject();
            w.WriteStartArray("messages");
            foreach (string m in Messages) w.WriteStringValue(m);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
