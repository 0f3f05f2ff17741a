namespace ImeiEir.Notify.Tests;

/// <summary>Bounded polling: every wait in these tests ends, by success or by a failure that says what was awaited.</summary>
internal static class Wait
{
    public static Task UntilAsync(Func<bool> condition, string what, double seconds = 10, Func<string>? diagnostics = null) =>
        Eventually.UntilAsync(condition, TimeSpan.FromSeconds(seconds), what, diagnostics);

    /// <summary>Checks that <paramref name="condition"/> stays false for <paramref name="milliseconds"/> of real time.</summary>
    public static async Task StaysFalseAsync(Func<bool> condition, string what, int milliseconds = 300)
    {
        DateTime end = DateTime.UtcNow.AddMilliseconds(milliseconds);
        while (DateTime.UtcNow < end)
        {
            Assert.That(condition(), Is.False, what);
            await Task.Delay(10);
        }
        Assert.That(condition(), Is.False, what);
    }
}
