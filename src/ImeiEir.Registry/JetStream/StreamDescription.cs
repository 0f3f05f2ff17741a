using ImeiEir.Core;

namespace ImeiEir.Registry.JetStream;

/// <summary>
/// What the stream's description says: the registry generation kept with the stream and the message format,
/// <c>imeieir change log, format 2, generation &lt;32 hex digits&gt;</c>. The description, not stream metadata
/// (NATS 2.10+) nor a first message: Debian's nats-server is 2.9, and a first message would be a message that is not
/// changes. It is written once, by the stream's creation, which is atomic: two registries creating the stream at once
/// end with one generation. Format 1 (one change per message, <c>imeieir change log, generation …</c>) is recognised
/// only to be refused with one line.
/// </summary>
internal static class StreamDescription
{
    /// <summary>The message format this code reads and writes (<see cref="ChangeMessage"/>).</summary>
    public const int Format = 2;

    private const string Prefix = "imeieir change log, ";
    private const string Current = "imeieir change log, format 2, generation ";
    private const string FormatOne = "imeieir change log, generation ";

    public static string Describe(RegistryGeneration generation) => Current + generation;

    /// <summary>False when <paramref name="description"/> is not one that <see cref="Describe"/> wrote.</summary>
    public static bool TryParse(string? description, out RegistryGeneration generation)
    {
        generation = RegistryGeneration.None;
        return description is not null && description.StartsWith(Current, StringComparison.Ordinal)
            && RegistryGeneration.TryParse(description.AsSpan(Current.Length), out generation) && !generation.IsNone;
    }

    /// <summary>The format an ImeiEir change log of another format has (1, or what it names), or null when it is none.</summary>
    public static string? OtherFormat(string? description)
    {
        if (description is null || !description.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        if (description.StartsWith(FormatOne, StringComparison.Ordinal)) return "1";
        const string Named = "imeieir change log, format ";
        if (!description.StartsWith(Named, StringComparison.Ordinal)) return null;
        int comma = description.IndexOf(',', Named.Length);
        return comma < 0 ? null : description[Named.Length..comma];
    }
}
