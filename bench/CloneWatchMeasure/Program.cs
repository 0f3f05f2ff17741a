using System.Diagnostics;
using System.Globalization;
using ImeiEir.Core;
using ImeiEir.Registry;
using Microsoft.Extensions.Logging.Abstractions;

// The registry's clone watch fed a national day of pair reports, in process: bytes per pair (the table, and the
// managed heap's growth), reports per second through CloneWatch.Record in batches of 10,000 (a node's BatchSize,
// each batch fsynced), and the time of a sweep that rebuilds the table and compacts the journal into it.
// Mix: every IMEI with one home IMSI, every 10th with two, every 100th with three (a suspected clone).
// Usage: CloneWatchMeasure IMEIS DIRECTORY  → one Markdown table row on stdout.
int imeis = int.Parse(args[0], CultureInfo.InvariantCulture);
string directory = args[1];
long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
GC.Collect();
GC.WaitForPendingFinalizers();
GC.Collect();
long before = GC.GetTotalMemory(true);
using CloneWatch watch = CloneWatch.Open(directory, new CloneOptions(), TimeProvider.System, NullLogger.Instance);
var batch = new List<Sighting>(10_000);
long reports = 0;
var clock = Stopwatch.StartNew();
for (int i = 0; i < imeis; i++)
{
    ulong key = 35_000_000_000_000UL + (ulong)i * 7919UL % 10_000_000_000UL;
    int imsis = i % 100 == 0 ? 3 : i % 10 == 0 ? 2 : 1;
    for (int j = 0; j < imsis; j++)
    {
        batch.Add(new Sighting(key, new PackedImsi(401_010_000_000_000UL + (ulong)i * 3 + (ulong)j, 15), (uint)now - 60, SightingKind.HomeAttach));
        if (batch.Count == batch.Capacity) Flush();
    }
}
if (batch.Count > 0) Flush();
double recordSeconds = clock.Elapsed.TotalSeconds;
GC.Collect();
GC.WaitForPendingFinalizers();
GC.Collect();
long heap = GC.GetTotalMemory(true) - before;
clock.Restart();
watch.Sweep(now);
double sweepSeconds = clock.Elapsed.TotalSeconds;
int pairs = watch.Pairs;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"| {imeis:N0} | {pairs:N0} | {watch.Suspected:N0} | {watch.TableBytes:N0} | {(double)watch.TableBytes / pairs:F1} | {(double)heap / pairs:F1} | {(double)heap / imeis:F1} | {reports / recordSeconds:N0} | {sweepSeconds:F2} |"));

void Flush()
{
    watch.Record(batch, now);
    reports += batch.Count;
    batch.Clear();
}
