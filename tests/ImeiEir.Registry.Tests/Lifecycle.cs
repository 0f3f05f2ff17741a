using ImeiEir.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Registry.Tests;

/// <summary>
/// The regime clock of the lifecycle tests: a <see cref="FakeTimeProvider"/> that also counts its timers, so a test
/// can tell when the expiry loop has gone to sleep (its only timer is its sleep) before it moves the clock.
/// </summary>
internal sealed class RegimeTime(DateTimeOffset start) : FakeTimeProvider(start)
{
    private int _live;
    private int _created;

    /// <summary>Timers created and not yet disposed (Task.Delay disposes its timer when it completes or is cancelled).</summary>
    public int LiveTimers => Volatile.Read(ref _live);

    public int TimersCreated => Volatile.Read(ref _created);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Interlocked.Increment(ref _created);
        Interlocked.Increment(ref _live);
        return new CountedTimer(base.CreateTimer(callback, state, dueTime, period), this);
    }

    private sealed class CountedTimer(ITimer inner, RegimeTime owner) : ITimer
    {
        private int _disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(dueTime, period);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) Interlocked.Decrement(ref owner._live);
            inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>
/// A registry in a temporary directory with the grey lifecycle around it: a 30-day grace period, a regime clock at
/// <see cref="Day0"/> (after the regime start), the sighting intake, and on demand the expiry loop.
/// </summary>
internal sealed class Lifecycle : IAsyncDisposable
{
    /// <summary>"Today" at the start of every test: 2025-09-01T00:00Z, after the default regime start (2025-05-25+05:00).</summary>
    public static readonly DateTimeOffset Day0 = new(2025, 9, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly TimeSpan Grace = TimeSpan.FromDays(30);

    public const string HomeImsi = "401011234567890";

    private Lifecycle(TempDirectory directory, RegistryService registry)
    {
        Directory = directory;
        Registry = registry;
        Clock = new RegimeClock(Time);
        Intake = new SightingIntake(registry, Policy, Clock, NullLogger.Instance);
    }

    public TempDirectory Directory { get; }

    public RegimeTime Time { get; } = new(Day0);

    public RegimeClock Clock { get; }

    public DecisionPolicy Policy { get; } = DecisionPolicy.Create(new PolicyOptions { GracePeriod = Grace });

    public RegistryService Registry { get; private set; }

    public SightingIntake Intake { get; private set; }

    public GreyExpiry? Expiry { get; private set; }

    /// <summary>Every batch the <see cref="Expiry"/> raised, in order.</summary>
    public List<IReadOnlyList<Change>> ExpiredEvents { get; } = [];

    public static async Task<Lifecycle> OpenAsync()
    {
        var directory = new TempDirectory();
        return new Lifecycle(directory, await TestData.OpenAsync(directory.Path));
    }

    /// <summary>Closes the registry (checkpointed, or as a crash would leave it) and opens it again from its directory.</summary>
    public async Task ReopenAsync(bool checkpoint = true)
    {
        await StopExpiryAsync();
        if (checkpoint) await Registry.DisposeAsync();
        else Registry.DisposeWithoutCheckpoint();
        Registry = await TestData.OpenAsync(Directory.Path);
        Intake = new SightingIntake(Registry, Policy, Clock, NullLogger.Instance);
    }

    /// <summary>Starts the expiry loop, waits (bounded) for its index and for the loop to be asleep.</summary>
    public async Task<GreyExpiry> StartExpiryAsync()
    {
        Assert.That(Expiry, Is.Null);
        var expiry = new GreyExpiry(Registry, Clock, NullLogger.Instance);
        expiry.Expired += changes =>
        {
            lock (ExpiredEvents) ExpiredEvents.Add(changes.ToArray());
        };
        Expiry = expiry;
        int before = Time.TimersCreated;
        expiry.Start();
        await expiry.Indexing.WaitAsync(TimeSpan.FromSeconds(10));
        await WaitForLoopAsleepAsync(before);
        return expiry;
    }

    public async Task StopExpiryAsync()
    {
        if (Expiry is null) return;
        await Expiry.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Expiry = null;
    }

    /// <summary>
    /// Waits until the loop has gone to sleep again after <paramref name="timersBefore"/> timers: it has read the
    /// clock and the index since, expired what was due, and now waits on its one timer.
    /// </summary>
    public Task WaitForLoopAsleepAsync(int timersBefore) =>
        WaitUntilAsync(() => Time.TimersCreated > timersBefore && Time.LiveTimers == 1, "the expiry loop to go back to sleep");

    /// <summary>Moves the regime clock and waits until the loop has looked at the new time and gone back to sleep.</summary>
    public async Task AdvanceAndSettleAsync(TimeSpan delta)
    {
        int before = Time.TimersCreated;
        Time.Advance(delta);
        await WaitForLoopAsleepAsync(before);
    }

    public IReadOnlyList<Change> AllExpired()
    {
        lock (ExpiredEvents) return ExpiredEvents.SelectMany(e => e).ToArray();
    }

    public Task<SightingReport> SeeAsync(params Sighting[] sightings) => SeeFromAsync("node-a", sightings);

    public Task<SightingReport> SeeFromAsync(string node, params Sighting[] sightings) =>
        Intake.RecordAsync(sightings, node, CancellationToken.None);

    public static Sighting Sighting(long serial, DateTimeOffset seen, string imsi = HomeImsi, SightingKind kind = SightingKind.FirstSeen)
    {
        Assert.That(PackedImsi.TryPack(imsi.AsSpan(), out PackedImsi packed), Is.True, imsi);
        return new Sighting(TestData.Imei(serial).Key, packed, checked((uint)seen.ToUnixTimeSeconds()), kind);
    }

    /// <summary>Rule 7: first seen + the grace period (30 days = 2,592,000 s), in Unix seconds.</summary>
    public static uint DeadlineOf(DateTimeOffset firstSeen) => checked((uint)(firstSeen.ToUnixTimeSeconds() + 2_592_000L));

    public static DateTimeOffset FromUnix(uint seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds);

    public ImeiRecord Record(long serial)
    {
        Assert.That(Registry.TryGetAny(TestData.Imei(serial), out ImeiRecord record), Is.True, $"IMEI {serial} has no record");
        return record;
    }

    public static Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        Eventually.UntilAsync(condition, timeout ?? TimeSpan.FromSeconds(10), what);

    public async ValueTask DisposeAsync()
    {
        await StopExpiryAsync();
        await Registry.DisposeAsync();
        Directory.Dispose();
    }
}
