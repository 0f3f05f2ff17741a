using Microsoft.Extensions.Logging;

namespace ImeiEir.Registry;

/// <summary>The bulk admin writes' log lines (legacy import, grace extension), with who asked and why.</summary>
internal static partial class AdminWriteLog
{
    [LoggerMessage(360, LogLevel.Information, "Legacy import: {Imported} white (legacy), {Unchanged} unchanged, {KeptBlack} kept black, {TooLate} first seen after the regime start, {Rejected} bad lines; changes {First}..{Last}; by {Actor}: {Comment}")]
    public static partial void LegacyImported(ILogger logger, int imported, int unchanged, int keptBlack, int tooLate, int rejected, ulong first, ulong last, string actor, string comment);

    [LoggerMessage(361, LogLevel.Information, "Grace extension of {Selection} until {UntilUnixSeconds} (reinstate {Reinstate}): {Extended} extended, {Unchanged} unchanged, {Reinstated} reinstated; changes {First}..{Last}; by {Actor}: {Comment}")]
    public static partial void GraceExtended(ILogger logger, string selection, uint untilUnixSeconds, bool reinstate, int extended, int unchanged, int reinstated, ulong first, ulong last, string actor, string comment);
}
