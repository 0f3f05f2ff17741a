using ImeiEir.Core;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Registry.Tests;

/// <summary>The registry's own write batches (<see cref="RegistryService.WriteAsync"/>), which sightings and expiry use.</summary>
public class PlannedWriteTests
{
    private static readonly DateTimeOffset Now = new(2025, 9, 1, 12, 0, 0, TimeSpan.Zero);

    private TempDirectory _dir = null!;
    private RegistryService _registry = null!;
    private FakeTimeProvider _time = null!;

    [SetUp]
    public async Task SetUp()
    {
        _dir = new TempDirectory();
        _time = new FakeTimeProvider(Now);
        _registry = await TestData.OpenAsync(_dir.Path, time: _time);
    }

    [TearDown]
    public async Task TearDown()
    {
        await _registry.DisposeAsync();
        _dir.Dispose();
    }

    private static Change Set(long serial, ListKind list, Reason reason, uint deadline = 0) => new()
    {
        ImeiKey = TestData.Imei(serial).Key, Op = ChangeOp.Set, List = list, Reason = reason, DeadlineUnixSeconds = deadline,
        Origin = ChangeOrigin.Lifecycle,
        Sequence = 999, TimeUnixMilliseconds = 1,   // both replaced by the batch
    };

    [Test, CancelAfter(20_000)]
    public async Task Appends_are_numbered_after_the_last_change_stamped_with_the_registrys_time_and_read_back_in_the_batch()
    {
        await TestData.PushCsvAsync(_registry, $"imei,list,reason\n{TestData.Text(1)},white,verified\n");
        var seenInBatch = new List<(bool, ImeiRecord)>();
        var numbers = new List<ulong>();

        IReadOnlyList<Change> written = await _registry.WriteAsync(write =>
        {
            seenInBatch.Add((write.TryGet(TestData.Imei(2), out ImeiRecord before), before));
            numbers.Add(write.Append(Set(2, ListKind.Grey, Reason.Unverified, 1_800_000_000)));
            seenInBatch.Add((write.TryGet(TestData.Imei(2), out ImeiRecord after), after));
            numbers.Add(write.Append(Set(2, ListKind.Black, Reason.GreyExpired)));
            numbers.Add(write.Append(Set(1, ListKind.Black, Reason.Stolen)));
        }, CancellationToken.None);

        Assert.That(numbers, Is.EqualTo(new[] { 2UL, 3UL, 4UL }));
        Assert.That(seenInBatch, Is.EqualTo(new[]
        {
            (false, default(ImeiRecord)),
            (true, new ImeiRecord(ListKind.Grey, Reason.Unverified, 1_800_000_000, 2)),
        }));
        Assert.That(written.Select(c => (c.Sequence, c.TimeUnixMilliseconds)), Is.All.Matches<(ulong, long)>(c => c.Item2 == Now.ToUnixTimeMilliseconds()));
        Assert.That(await TestData.ReadAllAsync(_registry, after: 1), Is.EqualTo(written));
        Assert.That(_registry.LastSequence, Is.EqualTo(4UL));

        // The back-links chain the batch's own changes: IMEI 2's history is both, IMEI 1's continues from the delta.
        var history2 = new List<ulong>();
        await foreach (Change c in _registry.GetHistoryAsync(TestData.Imei(2), CancellationToken.None)) history2.Add(c.Sequence);
        var history1 = new List<ulong>();
        await foreach (Change c in _registry.GetHistoryAsync(TestData.Imei(1), CancellationToken.None)) history1.Add(c.Sequence);
        Assert.That((history2, history1), Is.EqualTo((new List<ulong> { 2, 3 }, new List<ulong> { 1, 4 })));
    }

    [Test, CancelAfter(20_000)]
    public async Task A_plan_that_appends_nothing_commits_and_publishes_nothing()
    {
        var buffer = new Change[4];
        ValueTask<int> waiting = _registry.ReadChangesAsync(0, buffer, TimeSpan.FromMilliseconds(300), CancellationToken.None);
        IReadOnlyList<Change> written = await _registry.WriteAsync(write => write.TryGet(TestData.Imei(1), out _), CancellationToken.None);
        Assert.That(written, Is.Empty);
        Assert.That(_registry.LastSequence, Is.Zero);
        Assert.That(waiting.IsCompleted, Is.False, "a feed reader is not woken by an empty batch");
        _time.Advance(TimeSpan.FromMilliseconds(300));   // the reader's wait runs on the registry's (fake) clock
        Assert.That(await waiting.AsTask().WaitAsync(TimeSpan.FromSeconds(10)), Is.Zero);
    }

    [Test, CancelAfter(20_000)]
    public async Task A_write_after_dispose_or_cancelled_is_refused_and_appends_nothing()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        bool planned = false;
        Assert.That(async () => await _registry.WriteAsync(_ => planned = true, cancelled.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(planned, Is.False);

        await TestData.PushCsvAsync(_registry, $"imei,list,reason\n{TestData.Text(1)},white,verified\n");
        Assert.That(_registry.LastSequence, Is.EqualTo(1UL), "the registry still writes, from 1");

        await _registry.DisposeAsync();
        Assert.That(async () => await _registry.WriteAsync(_ => planned = true, CancellationToken.None), Throws.InstanceOf<ObjectDisposedException>());
        Assert.That(planned, Is.False);
    }
}
