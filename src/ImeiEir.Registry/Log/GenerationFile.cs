using ImeiEir.Core;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Registry;

/// <summary>
/// The registry's generation, in <c>directory/generation</c>: made when the directory is created (or restored from a
/// backup, which starts a new directory), then read back at every start. A directory from before generations
/// existed gets one at its first start under this version; its nodes adopt it (they follow no generation yet).
/// </summary>
internal static class GenerationFile
{
    public const string FileName = "generation";

    /// <exception cref="InvalidDataException">The file holds no generation.</exception>
    public static RegistryGeneration ReadOrCreate(string directory, ILogger logger)
    {
        string path = Path.Combine(directory, FileName);
        RegistryGeneration generation = RegistryGenerationFile.ReadOrCreate(path, out bool created);
        RegistryLog.Generation(logger, generation.ToString(), created ? "new" : "kept");
        return generation;
    }
}
