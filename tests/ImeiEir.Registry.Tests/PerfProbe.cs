using System.Diagnostics;
using ImeiEir.Core;

namespace ImeiEir.Registry.Tests;

[Explicit("measurement, not a test: dotnet test --filter TestCategory=Measurement")]
[Category("Measurement")]
public class PerfProbe
{
    [Test]
    public async Task Disk_read_cost_by_buffer_size()
    {
        using var dir = new TempDirectory();
        await using (RegistryService r = await TestData.OpenAsync(dir.Path))
            for (int b = 0; b < 4; b++)
                await TestData.PushCsvAsync(r, "imei,list,reason\n" + string.Concat(Enumerable.Range(b * 20000, 20000).Select(i => $"{TestData.Text(i)},white,verified\n")));
        await using RegistryService registry = await TestData.OpenAsync(dir.Path);
        foreach (int size in new[] { 100, 1024, 16384 })
        {
            var buffer = new Change[size];
            var sw = Stopwatch.StartNew();
            ulong after = 0; int calls = 0;
            while (true)
            {
                int n = await registry.ReadChangesAsync(after, buffer, TimeSpan.Zero, CancellationToken.None);
                if (n == 0) break;
                after = buffer[n - 1].Sequence; calls++;
            }
            TestContext.Progress.WriteLine($"buffer {size}: {calls} calls, {sw.ElapsedMilliseconds} ms, {sw.Elapsed.TotalMilliseconds / calls:F2} ms/call");
        }
    }

    [Test]
    public async Task Million_line_batch_and_commit_latency()
    {
        using var dir = new TempDirectory();
        await using RegistryService registry = await TestData.OpenAsync(dir.Path, TestData.Options(o => o.ExpectedRecords = 2_000_000));
        var text = new System.Text.StringBuilder("imei,list,reason,deadline\n");
        for (int i = 0; i < 1_000_000; i++)
            text.Append(TestData.Text(i)).Append(i % 3 == 0 ? ",grey,unverified,2030-01-01\n" : i % 3 == 1 ? ",black,stolen,\n" : ",white,verified,\n");
        byte[] body = System.Text.Encoding.UTF8.GetBytes(text.ToString());
        text = null;
        GC.Collect();
        long before = GC.GetTotalMemory(true);
        var sw = Stopwatch.StartNew();
        DeltaBatch batch = await DeltaParser.ParseCsvAsync(new MemoryStream(body), 1_000_000, CancellationToken.None);
        long parsed = sw.ElapsedMilliseconds;
        long afterParse = GC.GetTotalMemory(false);
        sw.Restart();
        DeltaReport report = await registry.ApplyAsync(batch, false, CancellationToken.None);
        long applied = sw.ElapsedMilliseconds;
        TestContext.Progress.WriteLine($"1M lines ({body.Length / 1e6:F1} MB): parse {parsed} ms ({1e6 / parsed * 1000:F0} lines/s), batch held {(afterParse - before) / 1e6:F0} MB; apply+commit+view {applied} ms ({1e6 / applied * 1000:F0} lines/s); applied {report.Applied}");

        sw.Restart();
        DeltaReport again = await registry.ApplyAsync(batch, false, CancellationToken.None);
        TestContext.Progress.WriteLine($"same 1M again (all unchanged): {sw.ElapsedMilliseconds} ms, unchanged {again.Unchanged}");

        var buffer = new Change[1024];
        sw.Restart();
        ulong after = 0;
        while (true)
        {
            int n = await registry.ReadChangesAsync(after, buffer, TimeSpan.Zero, CancellationToken.None);
            if (n == 0) break;
            after = buffer[n - 1].Sequence;
        }
        TestContext.Progress.WriteLine($"feed read of 1M changes: {sw.ElapsedMilliseconds} ms");

        var stream = new MemoryStream();
        sw.Restart();
        await registry.WriteSnapshotAsync(stream, CancellationToken.None);
        TestContext.Progress.WriteLine($"snapshot of {report.Applied} records ({stream.Length / 1e6:F1} MB): {sw.ElapsedMilliseconds} ms");

        var latencies = new List<double>();
        for (int i = 0; i < 300; i++)
        {
            DeltaBatch one = await TestData.Csv($"imei,list,reason\n{TestData.Text(2_000_000 + i)},white,verified\n");
            var t = Stopwatch.StartNew();
            await registry.ApplyAsync(one, false, CancellationToken.None);
            latencies.Add(t.Elapsed.TotalMilliseconds);
        }
        latencies.Sort();
        TestContext.Progress.WriteLine($"1-line batch (append + durable commit + view): p50 {latencies[150]:F2} ms, p99 {latencies[296]:F2} ms, max {latencies[^1]:F2} ms");

        var h = Stopwatch.StartNew();
        int count = 0;
        await foreach (Change _ in registry.GetHistoryAsync(TestData.Imei(5), CancellationToken.None)) count++;
        TestContext.Progress.WriteLine($"history of one IMEI ({count} changes) in a log of {registry.LastSequence} changes: {h.Elapsed.TotalMilliseconds:F2} ms");

        await registry.DisposeAsync();
        var o = Stopwatch.StartNew();
        await using RegistryService reopened = await TestData.OpenAsync(dir.Path, TestData.Options(o => o.ExpectedRecords = 2_000_000));
        TestContext.Progress.WriteLine($"reopen (view checkpoint + scan of {reopened.LastSequence} changes): {o.ElapsedMilliseconds} ms");
    }
}
