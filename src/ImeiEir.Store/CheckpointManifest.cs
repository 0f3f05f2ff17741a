using System.Buffers;
using System.Globalization;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;

namespace ImeiEir.Store;

/// <summary>
/// A small text file written next to FASTER's checkpoints once a checkpoint is complete: the token and the
/// length and hash of every file of that checkpoint. FASTER has no checksums of its own, so a damaged
/// snapshot would otherwise recover as silently wrong records; with the manifest, recovery checks first and
/// refuses. It is written to a temporary name and renamed, so it always names a complete checkpoint.
/// <code>
/// imeieir-store-checkpoint 2
/// token 6f1c...-...
/// sequence 1234
/// complete yes
/// file &lt;xxh128 hex&gt; &lt;length&gt; &lt;path relative to the checkpoint directory&gt;
/// </code>
/// </summary>
/// <remarks>
/// The hash guards against damage (torn or partial writes, a bad disk, a file copied short), not against someone
/// who can write the data directory and so the manifest too: XXH128, 128 bits, at memory speed. Version 1 used
/// SHA-256, about 1.6 GB/s on one core here, so checking a 50M-record checkpoint (~2.7 GB) took ~1.7 s of a
/// ~10 s restart, and as long again after every checkpoint; version-1 manifests are still read and checked with
/// SHA-256, so a store checkpointed by an earlier build recovers. The files are hashed side by side, one per core.
/// </remarks>
internal sealed class CheckpointManifest
{
    private const string Magic = "imeieir-store-checkpoint 2";
    private const string MagicSha256 = "imeieir-store-checkpoint 1";
    private const int ReadSize = 1 << 20;

    public required Guid Token { get; init; }

    public required IReadOnlyList<(string RelativePath, long Length, string Hash)> Files { get; init; }

    /// <summary>True for a version-1 manifest, whose hashes are SHA-256; false for XXH128.</summary>
    public bool Sha256 { get; init; }

    /// <summary>
    /// The change-feed sequence number the owner had applied when the checkpoint began (0 = none). Kept in the
    /// same atomically renamed file as the token, so a recovered store and its resume point can never disagree.
    /// </summary>
    public ulong AppliedSequence { get; init; }

    /// <summary>
    /// Whether the checkpointed store held a whole state (<see cref="ImeiStore.IsComplete"/>): yes or no when written
    /// by this build; null in a manifest of an earlier build, which recorded sequence 0 all through a bootstrap, so
    /// there a sequence above 0 means complete.
    /// </summary>
    public bool? Complete { get; init; }

    /// <summary>Describes the files of checkpoint <paramref name="token"/> under <paramref name="checkpointDirectory"/>.</summary>
    public static CheckpointManifest Describe(string checkpointDirectory, Guid token, ulong appliedSequence = 0, bool complete = false)
    {
        string name = token.ToString();
        string[] paths = System.IO.Directory.EnumerateFiles(checkpointDirectory, "*", SearchOption.AllDirectories)
            .Where(path => Path.GetRelativePath(checkpointDirectory, path).Split(Path.DirectorySeparatorChar).Contains(name))
            .ToArray();
        string[] hashes = HashAll(paths, sha256: false);
        var files = new List<(string, long, string)>(paths.Length);
        for (int i = 0; i < paths.Length; i++)
            files.Add((Path.GetRelativePath(checkpointDirectory, paths[i]).Replace(Path.DirectorySeparatorChar, '/'), new FileInfo(paths[i]).Length, hashes[i]));
        files.Sort((a, b) => string.CompareOrdinal(a.Item1, b.Item1));
        return new CheckpointManifest { Token = token, Files = files, AppliedSequence = appliedSequence, Complete = complete };
    }

    /// <summary>Writes the manifest durably: temporary file, flush to disk, rename over the old one.</summary>
    public void Write(string path)
    {
        var text = new StringBuilder();
        text.Append(Sha256 ? MagicSha256 : Magic).Append('\n');
        text.Append("token ").Append(Token.ToString()).Append('\n');
        text.Append("sequence ").Append(AppliedSequence.ToString(CultureInfo.InvariantCulture)).Append('\n');
        if (Complete is bool complete) text.Append("complete ").Append(complete ? "yes" : "no").Append('\n');
        foreach (var (relative, length, hash) in Files)
            text.Append("file ").Append(hash).Append(' ').Append(length.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(relative).Append('\n');

        string temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(Encoding.UTF8.GetBytes(text.ToString()));
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads a manifest; false with a reason when it is not one.</summary>
    public static bool TryRead(string path, out CheckpointManifest? manifest, out string? failure)
    {
        manifest = null;
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            failure = $"cannot read the checkpoint manifest {path}: {e.Message}";
            return false;
        }

        bool sha256 = lines.Length > 0 && lines[0] == MagicSha256;
        if (lines.Length < 2 || (lines[0] != Magic && !sha256) || !lines[1].StartsWith("token ", StringComparison.Ordinal)
            || !Guid.TryParse(lines[1].AsSpan(6), out Guid token))
        {
            failure = $"the checkpoint manifest {path} is damaged: it does not start with '{Magic}' and a token line";
            return false;
        }

        var files = new List<(string, long, string)>();
        ulong sequence = 0;
        bool? complete = null;
        for (int i = 2; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            if (lines[i].StartsWith("complete ", StringComparison.Ordinal))
            {
                complete = lines[i].AsSpan(9) switch { "yes" => true, "no" => false, _ => null };
                if (complete is null)
                {
                    failure = $"the checkpoint manifest {path} is damaged at line {i + 1}";
                    return false;
                }
                continue;
            }
            if (lines[i].StartsWith("sequence ", StringComparison.Ordinal))
            {
                if (!ulong.TryParse(lines[i].AsSpan(9), NumberStyles.None, CultureInfo.InvariantCulture, out sequence))
                {
                    failure = $"the checkpoint manifest {path} is damaged at line {i + 1}";
                    return false;
                }
                continue;
            }
            string[] parts = lines[i].Split(' ', 4);
            if (parts.Length != 4 || parts[0] != "file" || parts[1].Length != (sha256 ? 64 : 32)
                || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out long length)
                || parts[3].Contains("..", StringComparison.Ordinal))
            {
                failure = $"the checkpoint manifest {path} is damaged at line {i + 1}";
                return false;
            }
            files.Add((parts[3], length, parts[1]));
        }
        if (files.Count == 0)
        {
            failure = $"the checkpoint manifest {path} lists no files";
            return false;
        }

        manifest = new CheckpointManifest { Token = token, Files = files, AppliedSequence = sequence, Complete = complete, Sha256 = sha256 };
        failure = null;
        return true;
    }

    /// <summary>Checks that every listed file exists with its recorded length and hash.</summary>
    public bool TryVerify(string checkpointDirectory, out string? failure)
    {
        var paths = new string[Files.Count];
        for (int i = 0; i < Files.Count; i++)
        {
            var (relative, length, _) = Files[i];
            paths[i] = Path.Combine(checkpointDirectory, relative.Replace('/', Path.DirectorySeparatorChar));
            var info = new FileInfo(paths[i]);
            if (!info.Exists)
            {
                failure = $"checkpoint {Token} is incomplete: {relative} is missing";
                return false;
            }
            if (info.Length != length)
            {
                failure = $"checkpoint {Token} is damaged: {relative} has {info.Length} bytes, expected {length}";
                return false;
            }
        }
        string[] hashes = HashAll(paths, Sha256);
        for (int i = 0; i < Files.Count; i++)
        {
            if (!string.Equals(hashes[i], Files[i].Hash, StringComparison.Ordinal))
            {
                failure = $"checkpoint {Token} is damaged: {Files[i].RelativePath} does not match its {(Sha256 ? "SHA-256" : "XXH128")}";
                return false;
            }
        }
        failure = null;
        return true;
    }

    /// <summary>The hashes of <paramref name="paths"/>, computed side by side (the two big files are the index and the log).</summary>
    private static string[] HashAll(string[] paths, bool sha256)
    {
        var hashes = new string[paths.Length];
        Parallel.For(0, paths.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            i => hashes[i] = sha256 ? HashSha256(paths[i]) : HashXxh128(paths[i]));
        return hashes;
    }

    private static string HashXxh128(string path)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ReadSize);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0, FileOptions.SequentialScan);
            var hash = new XxHash128();
            int read;
            while ((read = stream.Read(buffer, 0, ReadSize)) > 0) hash.Append(buffer.AsSpan(0, read));
            return Convert.ToHexStringLower(hash.GetCurrentHash());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static string HashSha256(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
