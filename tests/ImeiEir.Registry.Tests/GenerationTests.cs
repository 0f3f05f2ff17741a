using ImeiEir.Core;

namespace ImeiEir.Registry.Tests;

/// <summary>The registry's generation: made with its data directory, kept for its life, named in every snapshot.</summary>
public class GenerationTests
{
    private const string Batch = "imei,list,reason\n35000000000001,white,verified\n35000000000002,black,stolen\n";

    [Test]
    public async Task The_generation_is_kept_across_restarts_and_new_for_a_new_data_directory()
    {
        using var dir = new TempDirectory();
        RegistryService registry = await TestData.OpenAsync(dir.Path);
        RegistryGeneration first = registry.Generation;
        await TestData.PushCsvAsync(registry, Batch);
        await registry.DisposeAsync();

        RegistryService reopened = await TestData.OpenAsync(dir.Path);
        RegistryGeneration afterRestart = reopened.Generation;
        reopened.DisposeWithoutCheckpoint(); // as kill -9 leaves it
        await using RegistryService afterCrash = await TestData.OpenAsync(dir.Path);

        using var otherDir = new TempDirectory();
        await using RegistryService other = await TestData.OpenAsync(otherDir.Path);
        Assert.Multiple(() =>
        {
            Assert.That(first.IsNone, Is.False);
            Assert.That(afterRestart, Is.EqualTo(first));
            Assert.That(afterCrash.Generation, Is.EqualTo(first));
            Assert.That(File.ReadAllText(Path.Combine(dir.Path, "generation")).Trim(), Is.EqualTo(first.ToString()));
            Assert.That(other.Generation, Is.Not.EqualTo(first));
            Assert.That(other.Generation.IsNone, Is.False);
        });
    }

    [Test]
    public async Task A_damaged_generation_file_stops_the_start_with_its_path()
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(Path.Combine(dir.Path, "generation"), "not a generation\n");
        InvalidDataException? e = Assert.ThrowsAsync<InvalidDataException>(() => TestData.OpenAsync(dir.Path));
        Assert.That(e!.Message, Does.Contain(Path.Combine(dir.Path, "generation")));
    }

    [Test]
    public async Task The_snapshot_names_the_registry_s_generation()
    {
        using var dir = new TempDirectory();
        await using RegistryService registry = await TestData.OpenAsync(dir.Path);
        await TestData.PushCsvAsync(registry, Batch);
        var stream = new MemoryStream();
        await registry.WriteSnapshotAsync(stream, CancellationToken.None);

        Assert.That(SnapshotFormat.TryReadHeader(stream.ToArray(), out ulong sequence, out RegistryGeneration generation), Is.True);
        Assert.That((sequence, generation), Is.EqualTo((2UL, registry.Generation)));
    }
}
