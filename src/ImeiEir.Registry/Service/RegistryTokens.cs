using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Registry;

/// <summary>
/// The admin and reader bearer tokens: from configuration, or generated once into a file of the registry
/// directory (mode 0600) and read back on later starts. Compared in constant time; never logged.
/// </summary>
internal static class RegistryTokens
{
    public const string AdminFileName = "admin.token";
    public const string ReaderFileName = "reader.token";

    /// <summary>
    /// The effective admin and reader tokens of the registry in <paramref name="directory"/>, each configured or
    /// generated (which is logged, without the token).
    /// </summary>
    /// <exception cref="ArgumentException">Both resolve to the same token: a reader could write.</exception>
    public static (string Admin, string Reader) Resolve(RegistryOptions options, string directory, ILogger logger)
    {
        string adminPath = Path.Combine(directory, AdminFileName);
        string readerPath = Path.Combine(directory, ReaderFileName);
        string admin = Resolve(options.AdminToken, adminPath, out bool adminGenerated);
        if (adminGenerated) RegistryLog.TokenGenerated(logger, "admin", adminPath);
        string reader = Resolve(options.ReaderToken, readerPath, out bool readerGenerated);
        if (readerGenerated) RegistryLog.TokenGenerated(logger, "reader", readerPath);
        if (admin == reader)
            throw new ArgumentException("Registry:ReaderToken: must differ from the admin token, or a reader could write", nameof(options));
        return (admin, reader);
    }

    /// <summary>The configured token, else the one in <paramref name="path"/>, else a new one written there.</summary>
    /// <param name="configured">The token from configuration, or null.</param>
    /// <param name="path">The token file in the registry directory.</param>
    /// <param name="generated">True when a new token was written to <paramref name="path"/>.</param>
    public static string Resolve(string? configured, string path, out bool generated)
    {
        generated = false;
        if (configured is not null) return configured;
        if (File.Exists(path))
        {
            string stored = File.ReadAllText(path).Trim();
            if (stored.Length < RegistryOptions.MinTokenLength)
                throw new InvalidDataException($"{path} holds no usable token (fewer than {RegistryOptions.MinTokenLength} characters); delete it to generate a new one");
            return stored;
        }

        // 32 random bytes, base64url: 43 characters, safe in a header and on a command line.
        string token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        string temporary = path + ".tmp";
        File.Delete(temporary);
        using (var stream = new FileStream(temporary, options))
        {
            stream.Write(Encoding.ASCII.GetBytes(token + "\n"));
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path);
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
