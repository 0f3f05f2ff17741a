using ImeiEir.Core.Tac;

namespace ImeiEir.Registry;

/// <summary>Where the registry keeps the imported TAC database: <c>&lt;registry directory&gt;/tac</c>.</summary>
internal static class TacDocument
{
    public static TacDirectory For(RegistryService registry) => In(registry.Directory);

    public static TacDirectory In(string registryDirectory) => new(Path.Combine(registryDirectory, "tac"));
}
