using System.Security.Cryptography;
using System.Text;

namespace ImeiEir.Notify.Delivery;

/// <summary>
/// The secret every delivery report must carry (<c>token=</c> in the dlr-url): <see cref="NotifyOptions.DlrToken"/>,
/// else generated once into <see cref="FileName"/> in the data directory (mode 0600) and read back on later starts,
/// as the registry's admin and reader tokens are. Never logged.
/// </summary>
internal static class DlrTokens
{
    public const string FileName = "dlr.token";

    /// <summary>Where the effective token came from, for the start-up line.</summary>
    public enum Source { Configured, Loaded, Generated }

    /// <summary>The configured token, else the one in the data directory's <see cref="FileName"/>, else a new one written there.</summary>
    /// <exception cref="InvalidDataException">The file holds no usable token.</exception>
    public static string Resolve(NotifyOptions options, out Source source, out string path)
    {
        path = Path.Combine(options.DataDirectory, FileName);
        if (options.DlrToken is string configured)
        {
            source = Source.Configured;
            return configured;
        }
        if (File.Exists(path))
        {
            Storage.PrivateFile.Tighten(path);
            string stored = File.ReadAllText(path).Trim();
            if (stored.Length < 16 || stored.Any(c => c <= ' ' || c > '~'))
                throw new InvalidDataException($"{path} holds no usable token (16 or more printable ASCII characters); delete it to generate a new one");
            source = Source.Loaded;
            return stored;
        }

        // 32 random bytes, base64url: 43 characters, safe in a query string without escaping.
        string token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Directory.CreateDirectory(options.DataDirectory);
        var create = Storage.PrivateFile.Create(new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None });
        string temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, create))
        {
            Storage.PrivateFile.Tighten(stream.SafeFileHandle); // a leftover temporary file keeps its mode
            stream.Write(Encoding.ASCII.GetBytes(token + "\n"));
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
        Storage.DurableFile.SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        source = Source.Generated;
        return token;
    }

    /// <summary>
    /// Whether <paramref name="presented"/> is <paramref name="expected"/>, in time independent of where they differ
    /// and of their lengths (both are hashed to 32 bytes first).
    /// </summary>
    public static bool Matches(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
