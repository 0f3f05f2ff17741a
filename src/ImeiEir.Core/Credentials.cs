using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ImeiEir.Core;

/// <summary>What a named registry credential may do.</summary>
public enum CredentialRole : byte
{
    /// <summary>Everything: pushes, backups, every read.</summary>
    Admin = 1,

    /// <summary>Reads: status, an IMEI's record and history, the feed and the snapshot. No writes, no sightings.</summary>
    Reader = 2,

    /// <summary>What an EIR node needs: the feed, the snapshot and reporting sightings.</summary>
    Node = 3,
}

/// <summary>One named credential: who, what it may do, and the SHA-256 of its token (the token itself is never stored).</summary>
public sealed record Credential(string Name, CredentialRole Role, byte[] TokenHash, DateTimeOffset Created);

/// <summary>
/// The registry's named credentials file (<c>Registry:TokensFile</c>, default <c>&lt;DataDir&gt;/registry/tokens</c>),
/// written by <c>eirctl token</c> and read by the registry, which reloads it when it changes. One credential a line,
/// blank lines and <c>#</c> comments ignored:
/// <code>
/// # name     role    sha256 of the token (hex, 64)                                      created (UTC)
/// police-1   admin   3f0c…(64 hex digits)…                                              2026-12-06T17:00:00Z
/// </code>
/// Tokens are 32 random bytes as base64url, so a plain SHA-256 is enough: there is nothing to guess.
/// </summary>
public static class CredentialsFile
{
    /// <summary>The file's name in the registry directory.</summary>
    public const string FileName = "tokens";

    /// <summary>Longest credential name, in characters.</summary>
    public const int MaxNameLength = 64;

    /// <summary>Names the default tokens and the registry itself use as actors: a credential may not take them.</summary>
    public static readonly IReadOnlySet<string> ReservedNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "admin", "reader", "lifecycle" };

    private const string Header = "# ImeiEir registry credentials: name role sha256-of-token created. Written by eirctl token; tokens are never stored.";

    /// <summary>Parses the file's text; every problem names the file and the line.</summary>
    /// <exception cref="InvalidDataException">A line is malformed, or a name appears twice.</exception>
    public static IReadOnlyList<Credential> Parse(string path, string text)
    {
        var credentials = new List<Credential>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            string[] fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            string where = $"{path} line {i + 1}";
            if (fields.Length != 4)
                throw new InvalidDataException($"{where}: expected 4 fields (name role sha256 created), found {fields.Length}");
            if (NameProblem(fields[0]) is string nameProblem)
                throw new InvalidDataException($"{where}: {nameProblem}");
            if (!TryParseRole(fields[1], out CredentialRole role))
                throw new InvalidDataException($"{where}: role '{Shorten(fields[1])}' is not admin, reader or node");
            if (fields[2].Length != 64 || !fields[2].All(Uri.IsHexDigit))
                throw new InvalidDataException($"{where}: the token hash must be 64 hex digits (SHA-256)");
            if (!DateTimeOffset.TryParse(fields[3], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset created))
                throw new InvalidDataException($"{where}: '{Shorten(fields[3])}' is not a creation time (e.g. 2026-12-06T17:00:00Z)");
            if (!names.Add(fields[0]))
                throw new InvalidDataException($"{where}: the name {fields[0]} appears twice");
            credentials.Add(new Credential(fields[0], role, Convert.FromHexString(fields[2]), created.ToUniversalTime()));
        }
        return credentials;
    }

    /// <summary>The file's text for <paramref name="credentials"/>.</summary>
    public static string Format(IEnumerable<Credential> credentials)
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (Credential c in credentials)
            text.Append(c.Name).Append(' ').Append(RoleName(c.Role)).Append(' ')
                .Append(Convert.ToHexStringLower(c.TokenHash)).Append(' ')
                .Append(c.Created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Append('\n');
        return text.ToString();
    }

    /// <summary>Why <paramref name="name"/> cannot name a credential, or null: 1-64 of letters, digits, '.', '_', '-', not reserved.</summary>
    public static string? NameProblem(string name)
    {
        if (name.Length is 0 or > MaxNameLength || !char.IsAsciiLetterOrDigit(name[0])
            || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            return $"'{Shorten(name)}' is not a credential name (1-{MaxNameLength} letters, digits, '.', '_' or '-', starting with a letter or digit)";
        if (ReservedNames.Contains(name))
            return $"the name {name} is reserved (the default tokens and the lifecycle act under it)";
        return null;
    }

    public static bool TryParseRole(string text, out CredentialRole role)
    {
        role = text.ToLowerInvariant() switch
        {
            "admin" => CredentialRole.Admin,
            "reader" => CredentialRole.Reader,
            "node" => CredentialRole.Node,
            _ => 0,
        };
        return role != 0;
    }

    public static string RoleName(CredentialRole role) => role switch
    {
        CredentialRole.Admin => "admin",
        CredentialRole.Reader => "reader",
        CredentialRole.Node => "node",
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    /// <summary>A new token: 32 random bytes as base64url (43 characters), as <see cref="SecretToken"/> generates.</summary>
    public static string NewToken() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>SHA-256 of the token's UTF-8 bytes into <paramref name="hash"/> (32 bytes).</summary>
    public static void HashToken(ReadOnlySpan<char> token, Span<byte> hash)
    {
        int max = Encoding.UTF8.GetMaxByteCount(token.Length);
        byte[]? rented = max > 512 ? System.Buffers.ArrayPool<byte>.Shared.Rent(max) : null;
        Span<byte> utf8 = rented ?? stackalloc byte[512];
        int length = Encoding.UTF8.GetBytes(token, utf8);
        SHA256.HashData(utf8[..length], hash);
        if (rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
    }

    public static byte[] HashToken(string token)
    {
        var hash = new byte[32];
        HashToken(token, hash);
        return hash;
    }

    /// <summary>
    /// Replaces the file with <paramref name="credentials"/> through a 0600 temporary file and a rename, so the
    /// registry, which reloads it on change, never reads half a file.
    /// </summary>
    public static void Write(string path, IEnumerable<Credential> credentials)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        string temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, options))
        {
            stream.Write(Encoding.UTF8.GetBytes(Format(credentials)));
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
