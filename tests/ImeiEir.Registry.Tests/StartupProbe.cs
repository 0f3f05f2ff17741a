using System.Diagnostics;
using System.Text;

namespace ImeiEir.Registry.Tests;

/// <summary>
/// Registry start-up after few and after many changes (issue 21 §4): builds two data directories of the same records,
/// one after R changes (each record set once) and one after C changes (the same records rewritten C / R times), both
/// checkpointed, then times <see cref="RegistryService.OpenAsync(RegistryOptions, string, TimeProvider, Microsoft.Extensions.Logging.ILogger, CancellationToken)"/>
/// (recovery to ready) on each, alternating, several rounds. Run by bench/startup-retention.sh; the environment sets
/// IMEIEIR_STARTUP_RECORDS, IMEIEIR_STARTUP_CHANGES, IMEIEIR_STARTUP_ROUNDS and IMEIEIR_STARTUP_DIR (kept between
/// runs: the directories are built once).
/// </summary>
[Explicit("measurement, not a test: bench/startup-retention.sh")]
[Category("Measurement")]
public class StartupProbe
{
    private static long Setting(string name, long fallback) =>
        long.TryParse(Environment.GetEnvironmentVariable(name), out long value) ? value : fallback;

    [Test]
    public async Task Start_up_after_few_and_after_many_changes()
    {
        long records = Setting("IMEIEIR_STARTUP_RECORDS", 1_000_000);
        long changes = Setting("IMEIEIR_STARTUP_CHANGES", 20_000_000);
        int rounds = (int)Setting("IMEIEIR_STARTUP_ROUNDS", 5);
        string root = Environment.GetEnvironmentVariable("IMEIEIR_STARTUP_DIR") ?? Path.Combine(Path.GetTempPath(), "imeieir-startup-probe");
        RegistryOptions options = TestData.Options(o => o.ExpectedRecords = records * 2);
        string few = Path.Combine(root, $"{records}-after-{records}"), many = Path.Combine(root, $"{records}-after-{changes}");
        await BuildAsync(few, options, records, records);
        await BuildAsync(many, options, records, changes);

        // Untimed: the first open in the process pays the JIT, and one of each side leaves its index file as this build
        // writes it (directories built by an earlier build may hold an older one, which the start replaces).
        await (await TestData.OpenAsync(few, options)).DisposeAsync();
        await (await TestData.OpenAsync(many, options)).DisposeAsync();

        // For contrast, after the alternated rounds (its 1.2 GB read would evict the others' files from the page cache
        // between them): the many-changes directory without its index file, so the start scans the whole log as every
        // start did before the file existed (plus writing the file again, which that start does).
        const string Full = "full-scan";
        var times = new Dictionary<string, List<double>> { [few] = [], [many] = [], [Full] = [] };
        var sides = new[] { few, many };
        var order = Enumerable.Range(0, rounds).SelectMany(round => round % 2 == 0 ? sides : sides.Reverse())
            .Concat(Enumerable.Repeat(Full, (int)Setting("IMEIEIR_STARTUP_FULL_SCAN_ROUNDS", 3))).ToList();
        for (int run = 0; run < order.Count; run++)
        {
            int round = run < rounds * 2 ? run / 2 : run - rounds * 2;
            {
                string name = order[run];
                string side = name == Full ? many : name;
                if (name == Full) File.Delete(Path.Combine(many, "log", SequenceIndexFile.FileName));
                var stopwatch = Stopwatch.StartNew();
                await using RegistryService registry = await TestData.OpenAsync(side, options);
                stopwatch.Stop();
                times[name].Add(stopwatch.Elapsed.TotalMilliseconds);
                TestContext.Progress.WriteLine($"round {round + 1} {Path.GetFileName(name)}: {stopwatch.Elapsed.TotalMilliseconds:F0} ms "
                    + $"(sequence {registry.LastSequence}, scanned {registry.ScannedAtOpen}, replayed {registry.ReplayedAtOpen})");
            }
        }
        double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
        foreach (string side in sides.Append(Full))
            TestContext.Progress.WriteLine($"{Path.GetFileName(side)}: median {Median(times[side]):F0} ms, runs {string.Join(" ", times[side].Select(t => t.ToString("F0")))}"
                + (side == Full ? "" : $", disk {DiskBytes(side) / 1e6:F1} MB"));
        TestContext.Progress.WriteLine($"ratio many/few (medians): {Median(times[many]) / Median(times[few]):F2}");
        TestContext.Progress.WriteLine($"ratio full-scan/few (medians, the start before the index file): {Median(times[Full]) / Median(times[few]):F2}");
    }

    private static async Task BuildAsync(string directory, RegistryOptions options, long records, long changes)
    {
        string done = Path.Combine(directory, "probe-built");
        if (File.Exists(done)) return;
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        var stopwatch = Stopwatch.StartNew();
        await using (RegistryService registry = await TestData.OpenAsync(directory, options))
        {
            const int Batch = 1_000_000;
            for (long written = 0, round = 0; written < changes; round++)
            {
                // Each round rewrites records from the start, alternating white and black, so every line is a change.
                var text = new StringBuilder("imei,list,reason\n");
                long from = written % records, count = Math.Min(Math.Min(Batch, records - from), changes - written);
                string line = (written / records) % 2 == 0 ? ",white,verified\n" : ",black,stolen\n";
                for (long i = from; i < from + count; i++) text.Append(TestData.Text(i)).Append(line);
                DeltaReport report = await TestData.PushCsvAsync(registry, text.ToString());
                Assert.That(report.Applied, Is.EqualTo((int)count));
                written += count;
            }
            await registry.CheckpointAsync(CancellationToken.None);
        }
        File.WriteAllText(done, "");
        TestContext.Progress.WriteLine($"built {Path.GetFileName(directory)} in {stopwatch.Elapsed.TotalSeconds:F0} s");
    }

    private static long DiskBytes(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
}
