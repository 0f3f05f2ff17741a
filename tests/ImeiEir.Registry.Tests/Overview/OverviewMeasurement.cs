using System.Diagnostics;
using System.Text;

namespace ImeiEir.Registry.Tests.Overview;

/// <summary>The overview's costs at 1M changes (perf-baselines/registry-overview.md).</summary>
[Explicit("measurement, not a test: dotnet test --filter TestCategory=Measurement")]
[Category("Measurement")]
public sealed class OverviewMeasurement
{
    private const int Lines = 1_000_000;

    [Test]
    public async Task Overview_costs_at_one_million_changes()
    {
        var text = new StringBuilder("imei,list,reason,deadline\n");
        for (int i = 0; i < Lines; i++)
            text.Append(TestData.Text(i)).Append(i % 3 == 0 ? ",grey,unverified,2030-01-01\n" : i % 3 == 1 ? ",black,stolen,\n" : ",white,verified,\n");
        string csv = text.ToString();
        DeltaBatch batch = await TestData.Csv(csv, Lines);

        // The same 1M-line push into fresh registries side by side, with the per-day counter subscribed to Committed
        // and without, in both orders (the first push of a process also pays for warm-up).
        RegistryOptions options = TestData.Options(o => o.ExpectedRecords = 2_000_000);
        for (int round = 0; round < 2; round++)
        {
            long plainMs = 0, countedMs = 0;
            foreach (bool withCounter in round == 0 ? new[] { false, true } : [true, false])
            {
                using var directory = new TempDirectory();
                await using RegistryService registry = await TestData.OpenAsync(directory.Path, options);
                using RegistryOverview? counter = withCounter ? new RegistryOverview(registry, null) : null;
                var timer = Stopwatch.StartNew();
                await registry.ApplyAsync(batch, false, CancellationToken.None);
                if (withCounter) countedMs = timer.ElapsedMilliseconds;
                else plainMs = timer.ElapsedMilliseconds;
            }
            TestContext.Progress.WriteLine($"1M-line push, round {round + 1}: without counter {plainMs} ms, with counter {countedMs} ms, ratio {(double)countedMs / plainMs:F2}");
        }

        using var countedDirectory = new TempDirectory();
        await using RegistryService counted = await TestData.OpenAsync(countedDirectory.Path, options);
        using var overview = new RegistryOverview(counted, null);
        await counted.ApplyAsync(batch, false, CancellationToken.None);
        var sw = Stopwatch.StartNew();

        DateOnly today = counted.Calendar.LocalDate(counted.Time.GetUtcNow());
        long[] fromCounter = await overview.Changes.LastDaysAsync(today, CancellationToken.None);
        TestContext.Progress.WriteLine($"changes per day from the counter (1M counted as committed): {sw.Elapsed.TotalMilliseconds:F2} ms, today {fromCounter[^1]}");

        // A fresh overview over the same registry must count the 1M from the log's tail: what the first request pays,
        // and what a scan cached for a minute would pay every minute.
        using var fresh = new RegistryOverview(counted, null);
        sw.Restart();
        long[] fromTail = await fresh.Changes.LastDaysAsync(today, CancellationToken.None);
        long tailMs = sw.ElapsedMilliseconds;
        sw.Restart();
        await fresh.Changes.LastDaysAsync(today, CancellationToken.None);
        TestContext.Progress.WriteLine($"changes per day, first request (tail of 1M changes read): {tailMs} ms, today {fromTail[^1]}; next request {sw.Elapsed.TotalMilliseconds:F2} ms");

        sw.Restart();
        ViewCounts counts = await fresh.Census.CurrentAsync(CancellationToken.None);
        long censusMs = sw.ElapsedMilliseconds;
        sw.Restart();
        await fresh.Census.CurrentAsync(CancellationToken.None);
        TestContext.Progress.WriteLine($"view census of 1M records: {censusMs} ms (white {counts.White}, grey {counts.Grey}, black {counts.Black}); cached {sw.Elapsed.TotalMilliseconds:F2} ms");
        Assert.That(fromTail, Is.EqualTo(fromCounter));
    }
}
