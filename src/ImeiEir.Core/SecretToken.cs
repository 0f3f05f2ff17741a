using System.Security.Cryptography;
using System.Text;

namespace ImeiEir.Core;

/// <summary>
/// The secrets the processes generate for themselves (the registry's admin and reader tokens, the notifier's delivery
/// report token): read from their file, or made once and written there with mode 0600, and compared in constant time.
/// Never logged.
/// </summary>
public static class SecretToken
{
    /// <summary>Shortest token accepted, in characters. Generated tokens are 43.</summary>
    public const int MinLength = 16;

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// The token in <paramref name="path"/> (its mode tightened to 0600), else a new one: 32 random bytes as base64url,
    /// 43 characters safe in a header, a query string and on a command line, written through a 0600 temporary file
    /// and a rename, so a crash leaves either no file or the whole token.
    /// </summary>
    /// <param name="path">The token's file.</param>
    /// <param name="generated">True when a new token was written to <paramref name="path"/>.</param>
    /// <exception cref="InvalidDataException">The file holds no usable token (16 or more printable ASCII characters).</exception>
    public static string ReadOrCreate(string path, out bool generated)
    {
        generated = false;
        if (File.Exists(path))
        {
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, OwnerOnly);
            string stored = File.ReadAllText(path).Trim();
            if (stored.Length < MinLength || stored.Any(c => c <= ' ' || c > '~'))
                throw new InvalidDataException($"{path} holds no usable token ({MinLength} or more printable ASCII characters); delete it to generate a new one");
            return stored;
        }

        string token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = OwnerOnly;
        string temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, options))
        {
            // A leftover temporary file keeps the mode it had; the token must not.
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(stream.SafeFileHandle, OwnerOnly);
            stream.Write(Encoding.ASCII.GetBytes(token + "\n"));
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
        generated = true;
        return token;
    }

    /// <summary>
    /// Whether <paramref name="presented"/> is <paramref name="expected"/>, in time independent of where they differ
    /// and of their lengths (both are hashed to 32 bytes first).
    /// </summary>
    public static bool Matches(ReadOnlySpan<char> presented, string expected)
    {
        Span<byte> a = stackalloc byte[32];
        Span<byte> b = stackalloc byte[32];
        Hash(presented, a);
        Hash(expected, b);
        return CryptographicOperations.FixedTimeEquals(a, b);
    }

    private static void Hash(ReadOnlySpan<char> text, Span<byte> hash)
    {
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = max > 512 ? System.Buffers.ArrayPool<byte>.Shared.Rent(max) : null;
        Span<byte> utf8 = rented ?? stackalloc byte[512];
        int length = Encoding.UTF8.GetBytes(text, utf8);
        SHA256.HashData(utf8[..length], hash);
        if (rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
    }
}
