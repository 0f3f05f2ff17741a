using System.Diagnostics;

namespace ImeiEir.Testing;

/// <summary>
/// Bounded polling: every wait ends, by success or by a test failure that says what was awaited. For a state that
/// has no event to await (a counter, a file, a record someone else writes); an event to await is better still.
/// </summary>
public static class Eventually
{
    /// <summary>How often a condition is looked at again.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(10);

    /// <summary>Waits until <paramref name="condition"/> holds; fails the test with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what, Func<string>? diagnostics = null)
    {
        if (!await TryUntilAsync(condition, timeout)) Fail(timeout, what, diagnostics);
    }

    /// <summary>As <see cref="UntilAsync(Func{bool}, TimeSpan, string, Func{string}?)"/>, for a probe that awaits (an HTTP request, a scrape).</summary>
    public static async Task UntilAsync(Func<Task<bool>> probe, TimeSpan timeout, string what, Func<string>? diagnostics = null)
    {
        if (!await TryUntilAsync(probe, timeout)) Fail(timeout, what, diagnostics);
    }

    /// <summary>Waits until <paramref name="condition"/> holds; false when it still does not after <paramref name="timeout"/>.</summary>
    public static Task<bool> TryUntilAsync(Func<bool> condition, TimeSpan timeout) =>
        TryUntilAsync(() => Task.FromResult(condition()), timeout);

    /// <summary>Waits until <paramref name="probe"/> returns true; false when it still does not after <paramref name="timeout"/>.</summary>
    public static async Task<bool> TryUntilAsync(Func<Task<bool>> probe, TimeSpan timeout)
    {
        long start = Stopwatch.GetTimestamp();
        while (!await probe())
        {
            if (Stopwatch.GetElapsedTime(start) > timeout) return await probe();
            await Task.Delay(Interval);
        }
        return true;
    }

    /// <summary>The blocking form, for tests that drive child processes synchronously.</summary>
    public static void Until(Func<bool> condition, TimeSpan timeout, string what, Func<string>? diagnostics = null)
    {
        if (!TryUntil(condition, timeout)) Fail(timeout, what, diagnostics);
    }

    /// <summary>
    /// The blocking form of <see cref="TryUntilAsync(Func{bool}, TimeSpan)"/>; <paramref name="interval"/> for a
    /// condition that is costly to look at (a Diameter exchange).
    /// </summary>
    public static bool TryUntil(Func<bool> condition, TimeSpan timeout, TimeSpan? interval = null)
    {
        long start = Stopwatch.GetTimestamp();
        while (!condition())
        {
            if (Stopwatch.GetElapsedTime(start) > timeout) return condition();
            Thread.Sleep(interval ?? Interval);
        }
        return true;
    }

    /// <summary>Waits for <paramref name="task"/> to finish; fails the test with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task CompletesAsync(Task task, TimeSpan timeout, string what)
    {
        try
        {
            await task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"timed out after {timeout.TotalSeconds:0.#} s waiting for {what}");
        }
    }

    private static void Fail(TimeSpan timeout, string what, Func<string>? diagnostics) =>
        Assert.Fail($"timed out after {timeout.TotalSeconds:0.#} s waiting for {what}{(diagnostics is null ? "" : "\n" + diagnostics())}");
}
