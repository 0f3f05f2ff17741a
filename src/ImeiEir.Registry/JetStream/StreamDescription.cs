using ImeiEir.Core;

namespace ImeiEir.Registry.JetStream;

/// <summary>
/// The registry generation kept with the stream, in the stream's description: <c>imeieir change log, generation
/// &lt;32 hex digits&gt;</c>. The description, not stream metadata (NATS 2.10+) nor a first message: Debian's
/// nats-server is 2.9, and a first message would shift stream sequences off change sequences. It is written once,
/// by the stream's creation, which is atomic: two registries creating the stream at once end with one generation.
/// </summary>
internal static class StreamDescription
{
    private const string Prefix = "imeieir change log, generation ";

    public static string Format(RegistryGeneration generation) => Prefix + generation;

    /// <summary>False when <paramref name="description"/> is not one that <see cref="Format"/> wrote.</summary>
    public static bool TryParse(string? description, out RegistryGeneration generation)
    {
        generation = RegistryGeneration.None;
        return description is not null && description.StartsWith(Prefix, StringComparison.Ordinal)
            && RegistryGeneration.TryParse(description.AsSpan(Prefix.Length), out generation) && !generation.IsNone;
    }
}
