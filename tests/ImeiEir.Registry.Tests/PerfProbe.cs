using System.Diagnostics;
using ImeiEir.Core;

namespace ImeiEir.Registry.Tests;

[Explicit("measurement, not a test")]
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
}
