using ImeiEir.Core;
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

    /// <summary>The configured token, else the one in <paramref name="path"/>, else a new one written there (<see cref="SecretToken"/>).</summary>
    /// <param name="configured">The token from configuration, or null.</param>
    /// <param name="path">The token file in the registry directory.</param>
    /// <param name="generated">True when a new token was written to <paramref name="path"/>.</param>
    public static string Resolve(string? configured, string path, out bool generated)
    {
        generated = false;
        return configured ?? SecretToken.ReadOrCreate(path, out generated);
    }
}
