using ImeiEir.Core;
using ImeiEir.Registry.JetStream;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Registry;

/// <summary>
/// A registry directory joining a change stream: its generation becomes the stream's, and its local log must be a
/// prefix of the stream (a replica of it), never a history of its own.
/// </summary>
internal static class StreamGeneration
{
    /// <summary>
    /// The stream's generation, written to <c>directory/generation</c> when the directory has none; a different one is
    /// kept until <see cref="CheckLocalLogAsync"/> knows whether the local log holds changes.
    /// </summary>
    public static RegistryGeneration Adopt(string directory, JetStreamChangeStream stream, ILogger logger)
    {
        string path = Path.Combine(directory, GenerationFile.FileName);
        RegistryGeneration? local = RegistryGenerationFile.Read(path);
        if (local is null) RegistryGenerationFile.Write(path, stream.Generation);
        RegistryLog.Generation(logger, stream.Generation.ToString(), local is null ? "new" : "kept");
        return stream.Generation;
    }

    /// <summary>
    /// Refuses a directory whose log is another history than the stream's (another generation, or changes the stream
    /// does not have); an empty one simply takes the stream's generation.
    /// </summary>
    /// <exception cref="InvalidDataException">The directory's log is not a replica of the stream.</exception>
    public static async Task CheckLocalLogAsync(string directory, JetStreamChangeStream stream, RegistryGeneration generation, ulong localLast,
        CancellationToken ct)
    {
        string path = Path.Combine(directory, GenerationFile.FileName);
        RegistryGeneration? local = RegistryGenerationFile.Read(path);
        if (local != generation)
        {
            if (localLast > 0)
                throw new InvalidDataException($"{directory} holds changes 1..{localLast} of generation {local}, but stream {stream.Stream} is generation {generation}: start this registry process with an empty directory to follow the stream");
            RegistryGenerationFile.Write(path, generation);
        }
        ulong streamLast = await stream.LastSequenceAsync(ct).ConfigureAwait(false);
        if (localLast > streamLast)
            throw new InvalidDataException($"{directory} holds changes up to {localLast}, but stream {stream.Stream} ends at change {streamLast}: the stream was recreated or purged; start this registry process with an empty directory");
    }
}
