using System.Text;

namespace ImeiEir.Core;

/// <summary>
/// A <see cref="RegistryGeneration"/> kept in a one-line text file: the registry's own (<c>generation</c> in its
/// directory) and the one a node's store follows (beside its checkpoint). Written through a temporary file, flushed to
/// disk and renamed, so a crash leaves the old line or the new one, never half of one.
/// <code>
/// 0f3c9a...e1 (32 hex digits)    a generation
/// none                           none known (a node: the store holds no complete state of any registry yet)
/// </code>
/// </summary>
public static class RegistryGenerationFile
{
    private const string NoneText = "none";

    /// <summary>The file's generation (<see cref="RegistryGeneration.None"/> for "none"); null when there is no file.</summary>
    /// <exception cref="InvalidDataException">The file holds something else.</exception>
    public static RegistryGeneration? Read(string path)
    {
        if (!File.Exists(path)) return null;
        string text = File.ReadAllText(path).Trim();
        if (text == NoneText) return RegistryGeneration.None;
        if (RegistryGeneration.TryParse(text, out RegistryGeneration generation) && !generation.IsNone) return generation;
        throw new InvalidDataException($"{path} holds no registry generation (32 hex digits, or '{NoneText}')");
    }

    /// <summary>Writes <paramref name="generation"/> (<see cref="RegistryGeneration.None"/> as "none") durably.</summary>
    public static void Write(string path, RegistryGeneration generation)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(Encoding.ASCII.GetBytes((generation.IsNone ? NoneText : generation.ToString()) + "\n"));
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The generation in <paramref name="path"/>, else a new random one written there.</summary>
    /// <param name="path">The file.</param>
    /// <param name="created">True when a new generation was written.</param>
    /// <exception cref="InvalidDataException">The file holds no generation.</exception>
    public static RegistryGeneration ReadOrCreate(string path, out bool created)
    {
        created = false;
        if (Read(path) is { IsNone: false } existing) return existing;
        RegistryGeneration generation = RegistryGeneration.NewRandom();
        Write(path, generation);
        created = true;
        return generation;
    }
}
