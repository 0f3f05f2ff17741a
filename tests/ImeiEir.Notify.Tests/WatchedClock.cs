using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Notify.Tests;

/// <summary>
/// A <see cref="FakeTimeProvider"/> as one loop sees it, showing when that loop waits on it. Every timer made through
/// this clock is armed from its creation (or <see cref="ITimer.Change"/>) until it fires or is disposed. A loop that
/// sleeps on its clock between rounds is parked while one of its timers is armed: it does nothing more before that
/// timer's due time unless something else wakes it. A timer is disarmed before its callback runs, and
/// <see cref="FakeTimeProvider.Advance"/> runs the callbacks of the timers it passes before returning, so after an
/// advance every armed timer is due in the future.
/// </summary>
internal sealed class WatchedClock(FakeTimeProvider fake) : TimeProvider
{
    private readonly object _gate = new();
    private readonly HashSet<WatchedTimer> _armed = [];

    /// <summary>A timer waiting: armed when the clock read <paramref name="At"/>, due at <paramref name="Due"/>.</summary>
    public readonly record struct Armed(DateTimeOffset At, DateTimeOffset Due)
    {
        public override string ToString() => $"armed at {At:dd.MM HH:mm:ss.fff}, due {Due:dd.MM HH:mm:ss.fff}";
    }

    /// <summary>The timers armed now, earliest due first.</summary>
    public IReadOnlyList<Armed> ArmedTimers
    {
        get
        {
            lock (_gate) return [.. _armed.Select(t => new Armed(t.ArmedAt, t.Due)).OrderBy(t => t.Due).ThenBy(t => t.At)];
        }
    }

    public string Describe() => $"clock {fake.GetUtcNow():dd.MM HH:mm:ss.fff}; timers: {string.Join("; ", ArmedTimers)}";

    public override DateTimeOffset GetUtcNow() => fake.GetUtcNow();

    public override long GetTimestamp() => fake.GetTimestamp();

    public override long TimestampFrequency => fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => fake.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new WatchedTimer(this, callback, state);
        timer.Arm(dueTime, period);
        timer.Inner = fake.CreateTimer(static t => ((WatchedTimer)t!).Fire(), timer, dueTime, period);
        return timer;
    }

    private sealed class WatchedTimer(WatchedClock clock, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period = Timeout.InfiniteTimeSpan;
        private bool _disposed;

        public ITimer? Inner { get; set; }
        public DateTimeOffset ArmedAt { get; private set; }
        public DateTimeOffset Due { get; private set; }

        public void Arm(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._gate)
            {
                if (_disposed) return;
                _period = period;
                ArmedAt = clock.GetUtcNow();
                Due = ArmedAt + dueTime;
                if (dueTime == Timeout.InfiniteTimeSpan) clock._armed.Remove(this);
                else clock._armed.Add(this);
            }
        }

        public void Fire()
        {
            lock (clock._gate)
            {
                if (_period == Timeout.InfiniteTimeSpan || _period == TimeSpan.Zero) clock._armed.Remove(this);
                else Due += _period;
            }
            callback(state);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Arm(dueTime, period);
            return Inner?.Change(dueTime, period) ?? false;
        }

        public void Dispose()
        {
            lock (clock._gate)
            {
                _disposed = true;
                clock._armed.Remove(this);
            }
            Inner?.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
