using ImeiEir.Core;

namespace ImeiEir.Registry.Tests;

public class SmokeTests
{
    [Test]
    public async Task Push_reopen_read_back()
    {
        using var dir = new TempDirectory();
        await using (RegistryService registry = await TestData.OpenAsync(dir.Path))
        {
            DeltaReport report = await TestData.PushCsvAsync(registry, $"imei,list,reason\n{TestData.Text(1)},white,verified\n{TestData.Text(2)},black,stolen\n");
            Assert.That(report.Applied, Is.EqualTo(2));
            Assert.That(registry.LastSequence, Is.EqualTo(2UL));
        }
        await using (RegistryService registry = await TestData.OpenAsync(dir.Path))
        {
            Assert.That(registry.LastSequence, Is.EqualTo(2UL));
            Assert.That(registry.TryGet(TestData.Imei(2), out ImeiRecord record), Is.True);
            Assert.That(record.List, Is.EqualTo(ListKind.Black));
            List<Change> changes = await TestData.ReadAllAsync(registry);
            Assert.That(changes.Select(c => c.Sequence), Is.EqualTo(new ulong[] { 1, 2 }));
        }
    }
}
