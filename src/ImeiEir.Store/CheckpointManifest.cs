using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ImeiEir.Store;

/// <summary>
/// A small text file written next to FASTER's checkpoints once a checkpoint is complete: the token and the
/// length and SHA-256 of every file of that checkpoint. FASTER has no checksums of its own, so a damaged
/// snapshot would otherwise recover as silently wrong records; with the manifest, recovery checks first and
/// refuses. It is written to a temporary name and renamed, so it always names a complete checkpoint.
/// <code>
/// imeieir-store-checkpoint 1
/// token 6f1c...-...
/// file &lt;sha256 hex&gt; &lt;length&gt; &lt;path relative to the checkpoint directory&gt;
/// </code>
/// </summary>
internal sealed class CheckpointManifest
{
    private const string Magic = "imeieir-store-checkpoint 1";

    public required Guid Token { get; init; }

    public required IReadOnlyList<(string RelativePath, long Length, string Sha256)> Files { get; init; }

    /// <summary>
    /// The change-feed sequence number the owner had applied when the checkpoint began (0 = none). Kept in the
    /// same atomically renamed file as the token, so a recovered store and its resume point can never disagree.
    /// </summary>
    public ulong AppliedSequence { get; init; }

    /// <summary>Describes the files of checkpoint <paramref name="token"/> under <paramref name="checkpointDirectory"/>.</summary>
    public static CheckpointManifest Describe(string checkpointDirectory, Guid token, ulong appliedSequence = 0)
    {
        string name = token.ToString();
        var files = new List<(string, long, string)>();
        foreach (string path in System.IO.Directory.EnumerateFiles(checkpointDirectory, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(checkpointDirectory, path);
            if (!relative.Split(Path.DirectorySeparatorChar).Contains(name)) continue;
            files.Add((relative.Replace(Path.DirectorySeparatorChar, '/'), new FileInfo(path).Length, Hash(path)));
        }
        files.Sort((a, b) => string.CompareOrdinal(a.Item1, b.Item1));
        return new CheckpointManifest { Token = token, Files = files, AppliedSequence = appliedSequence };
    }

    /// <summary>Writes the manifest durably: temporary file, flush to disk, rename over the old one.</summary>
    public void Write(string path)
    {
        var text = new StringBuilder();
        text.Append(Magic).Append('\n');
        text.Append("token ").Append(Token.ToString()).Append('\n');
        text.Append("sequence ").Append(AppliedSequence.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var (relative, length, sha256) in Files)
            text.Append("file ").Append(sha256).Append(' ').Append(length.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(relative).Append('\n');

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

        if (lines.Length < 2 || lines[0] != Magic || !lines[1].StartsWith("token ", StringComparison.Ordinal)
            || !Guid.TryParse(lines[1].AsSpan(6), out Guid token))
        {
            failure = $"the checkpoint manifest {path} is damaged: it does not start with '{Magic}' and a token line";
            return false;
        }

        var files = new List<(string, long, string)>();
        ulong sequence = 0;
        for (int i = 2; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
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
            if (parts.Length != 4 || parts[0] != "file" || parts[1].Length != 64
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

        manifest = new CheckpointManifest { Token = token, Files = files, AppliedSequence = sequence };
        failure = null;
        return true;
    }

    /// <summary>Checks that every listed file exists with its recorded length and hash.</summary>
    public bool TryVerify(string checkpointDirectory, out string? failure)
    {
        foreach (var (relative, length, sha256) in Files)
        {
            string path = Path.Combine(checkpointDirectory, relative.Replace('/', Path.DirectorySeparatorChar));
            var info = new FileInfo(path);
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
            if (!string.Equals(Hash(path), sha256, StringComparison.Ordinal))
            {
                failure = $"checkpoint {Token} is damaged: {relative} does not match its SHA-256";
                return false;
            }
        }
        failure = null;
        return true;
    }

    private static string Hash(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
