namespace ImeiEir.Notify.Tests;

/// <summary>Bounded polling: every wait in these tests ends, by success or by a failure that says what was awaited.</summary>
internal static class Wait
{
    public static Task UntilAsync(Func<bool> condition, string what, double seconds = 10, Func<string>? diagnostics = null) =>
        Eventually.UntilAsync(condition, TimeSpan.FromSeconds(seconds), what, diagnostics);
}
