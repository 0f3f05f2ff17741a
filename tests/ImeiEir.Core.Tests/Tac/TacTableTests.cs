using ImeiEir.Core.Tac;

namespace ImeiEir.Core.Tests.Tac;

public class TacTableTests
{
    [Test]
    public void A_table_finds_every_TAC_it_holds_and_no_other()
    {
        TacEntry[] entries = [.. Enumerable.Range(0, 1000).Select(i => new TacEntry((uint)(i * 7919 % 100_000_000), $"M{i % 13}", $"Model {i}", i % 3 == 0 ? "Module" : "Smartphone"))];
        TacTable table = TacTable.Build("1-0123456789abcdef", entries);
        Assert.Multiple(() =>
        {
            Assert.That(table.Count, Is.EqualTo(1000));
            foreach (TacEntry entry in entries)
                Assert.That(table[table.IndexOf(entry.Tac)], Is.EqualTo(entry));
            Assert.That(table.IndexOf(1), Is.EqualTo(-1));
            Assert.That(table.IndexOf(99_999_999), Is.EqualTo(-1));
            Assert.That(table.DeviceTypes, Is.EquivalentTo(new[] { "Module", "Smartphone" }));
        });
    }

    [Test]
    public void Device_types_are_matched_without_regard_to_case()
    {
        TacTable table = TacTable.Build("1-0123456789abcdef", [new(1, "Q", "EC25", "IoT Device"), new(2, "A", "X", "Smartphone")]);
        var set = new DeviceTypeSet(["iot device", " Module "]);
        Assert.That(table.IsDeviceTypeIn(table.IndexOf(1), set), Is.True);
        Assert.That(table.IsDeviceTypeIn(table.IndexOf(2), set), Is.False);
    }

    [Test]
    public void A_directory_saves_versions_in_order_and_loads_the_newest()
    {
        string root = Path.Combine(Path.GetTempPath(), "imeieir-tests-" + Guid.NewGuid().ToString("N"));
        try
        {
            CheckVersions(new TacDirectory(Path.Combine(root, "tac")));
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }

    private static void CheckVersions(TacDirectory tacs)
    {
        Assert.That(tacs.Load(), Is.Null);
        string first = tacs.SaveNext([new(1, "A", "B", "C")]);
        string second = tacs.SaveNext([new(2, "D", "E", "F"), new(3, "G", "H", "I")]);
        Assert.That(first, Does.StartWith("1-"));
        Assert.That(second, Does.StartWith("2-"));
        TacTable loaded = tacs.Load()!;
        Assert.That(loaded.Version, Is.EqualTo(second));
        Assert.That(loaded.Count, Is.EqualTo(2));
        Assert.That(Directory.GetFiles(tacs.Path), Has.Length.EqualTo(1), "older versions are removed");
    }
}
