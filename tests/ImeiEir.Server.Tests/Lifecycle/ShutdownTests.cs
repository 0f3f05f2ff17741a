using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Server.Tests.Lifecycle;

/// <summary>A shutdown that runs out of time before its final checkpoints is no crash, and loses nothing.</summary>
[TestFixture, NonParallelizable]
public sealed class ShutdownTests
{
    private const uint Success = 2001;
    private const int White = 0, Black = 1;

    [Test, CancelAfter(60_000)]
    public async Task A_shutdown_out_of_time_for_its_checkpoints_stops_cleanly_and_the_next_start_has_every_record()
    {
        string root = Path.Combine(Path.GetTempPath(), "imeieir-shutdown-" + Guid.NewGuid().ToString("N"));
        string lists = Path.Combine(root, "lists.csv");
        Directory.CreateDirectory(root);
        string white = Luhn.With("35000043000001"), black = Luhn.With("35000043000002");
        await File.WriteAllTextAsync(lists, $"op,imei,list,reason\nset,{white},white,verified\nset,{black},black,stolen\n");
        string[] args = ["--Mode=all-in-one", $"--DataDir={Path.Combine(root, "data")}", "--Diameter:Port=0", "--Http:Port=0",
            "--Registry:Port=0", "--Registry:LoadDemoLists=false", "--Store:CheckpointInterval=00:00:00"];
        try
        {
            InProcessHost first = await InProcessHost.StartAsync(new FakeTimeProvider(Cluster.Day0), [.. args, $"--Registry:InitialLists={lists}"]);
            using (var mme = new S13Client(first.Diameter))
                Assert.That(mme.Check(black[..14], Cluster.HomeImsi), Is.EqualTo((Success, 0u, Black)));
            // The host's shutdown timeout has passed before the checkpoints start: each is given up, not thrown.
            Assert.DoesNotThrowAsync(() => first.StopAsync(new CancellationToken(canceled: true)));
            await first.DisposeAsync();

            await using InProcessHost second = await InProcessHost.StartAsync(new FakeTimeProvider(Cluster.Day0), args);
            using var again = new S13Client(second.Diameter);
            Assert.That(again.Check(black[..14], Cluster.HomeImsi), Is.EqualTo((Success, 0u, Black)), "from the registry's log, not a checkpoint");
            Assert.That(again.Check(white[..14], Cluster.HomeImsi), Is.EqualTo((Success, 0u, White)));
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }
}
