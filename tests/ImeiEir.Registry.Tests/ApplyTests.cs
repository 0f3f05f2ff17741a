using ImeiEir.Core;

namespace ImeiEir.Registry.Tests;

public class ApplyTests
{
    private TempDirectory _dir = null!;
    private RegistryService _registry = null!;

    [SetUp]
    public async Task SetUp()
    {
        _dir = new TempDirectory();
        _registry = await TestData.OpenAsync(_dir.Path);
    }

    [TearDown]
    public async Task TearDown()
    {
        await _registry.DisposeAsync();
        _dir.Dispose();
    }

    [Test]
    public async Task Atomic_batch_with_a_bad_line_appends_nothing_and_lists_every_bad_line()
    {
        DeltaReport report = await TestData.PushCsvAsync(_registry,
            $"imei,list,reason\n{TestData.Text(1)},white,verified\n123,white,verified\n{TestData.Text(2)},pink,verified\n");
        Assert.That(report.Accepted, Is.False);
        Assert.That(report.Lines.Select(l => (l.Line, l.Outcome)), Is.EqualTo(new[] { (3, DeltaOutcome.Rejected), (4, DeltaOutcome.Rejected) }));
        Assert.That(report.Lines.All(l => l.Reason is not null));
        Assert.That(_registry.LastSequence, Is.EqualTo(0UL));
        Assert.That(_registry.TryGet(TestData.Imei(1), out _), Is.False);
    }

    [Test]
    public async Task Partial_batch_applies_the_good_lines_and_reports_the_rest()
    {
        DeltaReport report = await TestData.PushCsvAsync(_registry,
            $"imei,list,reason\n{TestData.Text(1)},white,verified\n123,white,verified\n{TestData.Text(2)},black,stolen\n", partial: true);
        Assert.That(report.Accepted, Is.True);
        Assert.That(report.Lines.Select(l => (l.Line, l.Outcome, l.Sequence)),
            Is.EqualTo(new[] { (2, DeltaOutcome.Applied, 1UL), (3, DeltaOutcome.Rejected, 0UL), (4, DeltaOutcome.Applied, 2UL) }));
        Assert.That((report.Applied, report.Unchanged, report.Rejected, report.FirstSequence, report.LastSequence), Is.EqualTo((2, 0, 1, 1UL, 2UL)));
        Assert.That(_registry.LastSequence, Is.EqualTo(2UL));
    }

    [Test]
    public async Task A_line_that_is_already_so_is_unchanged_and_appends_nothing()
    {
        string delta = $"imei,list,reason,deadline\n{TestData.Text(1)},white,verified,\n{TestData.Text(2)},grey,unverified,2030-12-31\n";
        await TestData.PushCsvAsync(_registry, delta);
        DeltaReport again = await TestData.PushCsvAsync(_registry, delta);
        Assert.That(again.Lines.Select(l => l.Outcome), Is.EqualTo(new[] { DeltaOutcome.Unchanged, DeltaOutcome.Unchanged }));
        Assert.That((again.FirstSequence, again.LastSequence), Is.EqualTo((0UL, 0UL)));
        Assert.That(_registry.LastSequence, Is.EqualTo(2UL));

        // A different deadline or reason is a change.
        DeltaReport moved = await TestData.PushCsvAsync(_registry, $"imei,list,reason,deadline\n{TestData.Text(1)},white,imported,\n{TestData.Text(2)},grey,unverified,2031-01-01\n");
        Assert.That(moved.Lines.Select(l => l.Sequence), Is.EqualTo(new[] { 3UL, 4UL }));
    }

    [Test]
    public async Task Remove_leaves_a_tombstone_and_removing_again_is_unchanged()
    {
        await TestData.PushCsvAsync(_registry, $"imei,list,reason\n{TestData.Text(1)},black,stolen\n");
        DeltaReport removed = await TestData.PushCsvAsync(_registry, $"op,imei\nremove,{TestData.Text(1)}\n");
        Assert.That(removed.Lines[0].Sequence, Is.EqualTo(2UL));
        Assert.That(_registry.TryGet(TestData.Imei(1), out _), Is.False);
        Assert.That(_registry.TryGetAny(TestData.Imei(1), out ImeiRecord tombstone), Is.True);
        Assert.That((tombstone.List, tombstone.Sequence), Is.EqualTo((ListKind.None, 2UL)));

        DeltaReport again = await TestData.PushCsvAsync(_registry, $"op,imei\nremove,{TestData.Text(1)}\nremove,{TestData.Text(9)}\n");
        Assert.That(again.Lines.Select(l => l.Outcome), Is.EqualTo(new[] { DeltaOutcome.Unchanged, DeltaOutcome.Unchanged }));
        List<Change> changes = await TestData.ReadAllAsync(_registry);
        Assert.That(changes[1].Op, Is.EqualTo(ChangeOp.Remove));
    }

    [Test]
    public async Task Replace_is_two_consecutive_changes_naming_each_other()
    {
        await TestData.PushCsvAsync(_registry, $"imei,list,reason\n{TestData.Text(9)},white,verified\n");
        DeltaReport report = await TestData.PushCsvAsync(_registry, $"op,imei,new_imei\nreplace,{TestData.Text(1)},{TestData.Text(2)}\n");
        Assert.That((report.Lines[0].Sequence, report.Lines[0].NewImeiSequence), Is.EqualTo((2UL, 3UL)));

        List<Change> changes = await TestData.ReadAllAsync(_registry, after: 1);
        Assert.That(changes.Select(c => (c.Sequence, c.ImeiKey, c.List, c.Reason, c.RelatedImeiKey)), Is.EqualTo(new[]
        {
            (2UL, TestData.Imei(1).Key, ListKind.Black, Reason.ServiceReplacement, TestData.Imei(2).Key),
            (3UL, TestData.Imei(2).Key, ListKind.White, Reason.ServiceReplacement, TestData.Imei(1).Key),
        }));
        Assert.That(_registry.TryGet(TestData.Imei(1), out ImeiRecord old) && old.List == ListKind.Black);
        Assert.That(_registry.TryGet(TestData.Imei(2), out ImeiRecord @new) && @new.List == ListKind.White);

        DeltaReport again = await TestData.PushCsvAsync(_registry, $"op,imei,new_imei\nreplace,{TestData.Text(1)},{TestData.Text(2)}\n");
        Assert.That(again.Lines[0].Outcome, Is.EqualTo(DeltaOutcome.Unchanged));
    }

    [Test]
    public async Task Sequences_are_monotonic_across_reopen()
    {
        await TestData.PushCsvAsync(_registry, $"imei,list,reason\n{TestData.Text(1)},white,verified\n{TestData.Text(2)},white,verified\n");
        await _registry.DisposeAsync();
        _registry = await TestData.OpenAsync(_dir.Path);
        DeltaReport report = await TestData.PushCsvAsync(_registry, $"imei,list,reason\n{TestData.Text(3)},white,verified\n");
        Assert.That(report.FirstSequence, Is.EqualTo(3UL));
        await _registry.DisposeAsync();
        _registry = await TestData.OpenAsync(_dir.Path);
        Assert.That(_registry.LastSequence, Is.EqualTo(3UL));
        List<Change> all = await TestData.ReadAllAsync(_registry);
        Assert.That(all.Select(c => c.Sequence), Is.EqualTo(new ulong[] { 1, 2, 3 }));
    }

    [Test]
    public async Task Change_time_comes_from_the_time_provider()
    {
        await _registry.DisposeAsync();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 5, 10, 0, 0, TimeSpan.Zero));
        _registry = await TestData.OpenAsync(_dir.Path, time: time);
        await TestData.PushCsvAsync(_registry, $"imei,list,reason\n{TestData.Text(1)},white,verified\n");
        Assert.That((await TestData.ReadAllAsync(_registry))[0].TimeUnixMilliseconds, Is.EqualTo(time.GetUtcNow().ToUnixTimeMilliseconds()));
    }

    [Test]
    public async Task Failed_batch_is_refused_by_ApplyAsync()
    {
        DeltaBatch empty = await TestData.Csv("");
        Assert.ThrowsAsync<ArgumentException>(() => _registry.ApplyAsync(empty, partial: false, CancellationToken.None));
    }

    [Test]
    public async Task Concurrent_batches_are_serialised_with_contiguous_numbers()
    {
        Task<DeltaReport>[] pushes = Enumerable.Range(0, 8).Select(b => TestData.PushCsvAsync(_registry,
            "imei,list,reason\n" + string.Concat(Enumerable.Range(0, 50).Select(i => $"{TestData.Text(b * 100 + i)},white,verified\n")))).ToArray();
        DeltaReport[] reports = await Task.WhenAll(pushes);
        // Each batch is one contiguous run of 50 numbers; together 1..400.
        Assert.That(reports.All(r => r.LastSequence - r.FirstSequence == 49));
        Assert.That(reports.Select(r => r.FirstSequence).Order(), Is.EqualTo(Enumerable.Range(0, 8).Select(b => (ulong)(b * 50 + 1))));
        Assert.That((await TestData.ReadAllAsync(_registry)).Select(c => c.Sequence), Is.EqualTo(Enumerable.Range(1, 400).Select(i => (ulong)i)));
    }
}
