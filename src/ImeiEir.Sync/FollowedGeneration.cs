using ImeiEir.Core;

namespace ImeiEir.Sync;

/// <summary>
/// Which registry generation (<see cref="RegistryGeneration"/>) the node's store holds the history of, so a restart
/// never resumes one registry's feed from a position reached in another's. Kept beside the store's checkpoint in
/// <c>registry.generation</c>, and written only after a checkpoint of that generation's state is complete:
/// <code>
/// no file        a store from before generations (or a new one): the generation the registry names is adopted
/// none           a bootstrap began and no checkpoint of its result finished: the store is cleared and bootstrapped
/// 32 hex digits  the checkpointed state is of that generation; a registry naming another one means a new history
/// </code>
/// In memory only for a store without a directory.
/// </summary>
internal sealed class FollowedGeneration
{
    public const string FileName = "registry.generation";

    private readonly string? _path;
    private RegistryGeneration? _recorded;

    /// <param name="storeDirectory">The store's directory; null for a store in memory.</param>
    public FollowedGeneration(string? storeDirectory)
    {
        _path = storeDirectory is null ? null : Path.Combine(storeDirectory, FileName);
        if (_path is null) return;
        try
        {
            _recorded = RegistryGenerationFile.Read(_path);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            // Unreadable: as if a bootstrap had not finished. Slower, never wrong.
            _recorded = RegistryGeneration.None;
            ReadFailure = e.Message;
        }
        Current = _recorded ?? RegistryGeneration.None;
    }

    /// <summary>Why the file could not be read (it then counts as an unfinished bootstrap); null when it could.</summary>
    public string? ReadFailure { get; }

    /// <summary>The generation of the state in the store now; <see cref="RegistryGeneration.None"/> when not known.</summary>
    public RegistryGeneration Current { get; set; }

    /// <summary>The last bootstrap began (the store may have been cleared) and no checkpoint of its result finished.</summary>
    public bool BootstrapUnfinished => _recorded is { IsNone: true };

    /// <summary>A bootstrap begins: until a checkpoint of its result finishes, a restart must start it again.</summary>
    public void BeginBootstrap()
    {
        Current = RegistryGeneration.None;
        Record(RegistryGeneration.None);
    }

    /// <summary>
    /// After a checkpoint of a state of <paramref name="generation"/> finished (at a sequence above 0): records it,
    /// or removes the file when the generation is not known (a registry from before generations).
    /// </summary>
    public void Checkpointed(RegistryGeneration generation)
    {
        if (generation.IsNone)
        {
            if (_path is not null && _recorded is not null) File.Delete(_path);
            _recorded = null;
            return;
        }
        Record(generation);
    }

    private void Record(RegistryGeneration generation)
    {
        if (_recorded == generation) return;
        if (_path is not null) RegistryGenerationFile.Write(_path, generation);
        _recorded = generation;
    }
}
