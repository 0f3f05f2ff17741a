using Microsoft.Extensions.Logging;

namespace ImeiEir.Registry;

/// <summary>The clone watch's log lines (event ids 380-383).</summary>
internal static partial class ClonesLog
{
    [LoggerMessage(380, LogLevel.Information, "Clone watch opened: {Pairs} pairs, {Suspected} suspected clones")]
    public static partial void Opened(ILogger logger, int pairs, int suspected);

    [LoggerMessage(381, LogLevel.Warning, "Clone watch journal: cut off a torn tail of {Bytes} bytes (a crash mid-append; those pairs come again with the next reports)")]
    public static partial void TornTail(ILogger logger, long bytes);

    [LoggerMessage(382, LogLevel.Information, "Clone watch swept: {Dropped} pairs older than the window dropped, {Pairs} kept, {Suspected} suspected clones")]
    public static partial void Swept(ILogger logger, int dropped, int pairs, int suspected);

    [LoggerMessage(383, LogLevel.Error, "Clone watch sweep failed; the pairs are kept and the next sweep tries again")]
    public static partial void SweepFailed(ILogger logger, Exception exception);
}
