using ImeiEir.Core;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Registry;

/// <summary>
/// Seeds the registry at start: the <see cref="RegistryOptions.InitialLists"/> file at every start, else, for a
/// brand-new registry when <see cref="RegistryOptions.LoadDemoLists"/>, the demo list, so a newcomer can query
/// something at once. The lists go in as one atomic admin delta, so restarting with the same file changes nothing
/// ("unchanged" lines append nothing) and one bad line loads nothing.
/// </summary>
internal static class RegistrySeeding
{
    /// <summary>What the log and errors call the demo list.</summary>
    public const string DemoSource = "embedded demo list";

    /// <param name="registry">The open registry.</param>
    /// <param name="options">Where the seeding is configured.</param>
    /// <param name="openDemoLists">Opens the demo list (CSV); null: there is none.</param>
    /// <param name="logger">Where the outcome is logged.</param>
    /// <param name="ct">Cancels the reading and the write.</param>
    /// <exception cref="InitialListsException">The lists were unreadable or had bad lines; nothing was loaded.</exception>
    public static async Task SeedAsync(RegistryService registry, RegistryOptions options, Func<Stream>? openDemoLists, ILogger logger, CancellationToken ct)
    {
        if (options.InitialLists is { } path)
        {
            await using FileStream file = File.OpenRead(path);
            await SeedAsync(registry, file, path, logger, ct).ConfigureAwait(false);
        }
        else if (registry.LastSequence == 0 && options.LoadDemoLists && openDemoLists is not null)
        {
            await using Stream demo = openDemoLists();
            await SeedAsync(registry, demo, DemoSource, logger, ct).ConfigureAwait(false);
        }
        else
        {
            RegistryLog.RegistrySeeded(logger, registry.LastSequence, "no lists to load", 0, 0);
        }
    }

    private static async Task SeedAsync(RegistryService registry, Stream lists, string source, ILogger logger, CancellationToken ct)
    {
        DeltaBatch batch = await DeltaParser.ParseCsvAsync(lists, registry.Options.MaxDeltaLines, long.MaxValue, registry.Calendar, ct).ConfigureAwait(false);
        if (batch.Failure is { } failure)
            throw new InitialListsException(source, [$"{source}: {failure.Detail}"]);

        // Atomic: one bad line and nothing is loaded; the operator gets every bad line at once.
        DeltaReport report = await registry.ApplyAsync(batch, partial: false, ct).ConfigureAwait(false);
        if (!report.Accepted)
            throw new InitialListsException(source, report.Errors.Select(e => $"{source}:{e.Line}: {e.Reason}").ToList());
        RegistryLog.RegistrySeeded(logger, registry.LastSequence, source, report.Applied, report.Unchanged);
    }
}
