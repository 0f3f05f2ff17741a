using ImeiEir.Core;

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
        string token = SecretToken.ReadOrCreate(path, out bool generated);
        if (generated) Storage.DurableFile.SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        source = generated ? Source.Generated : Source.Loaded;
        return token;
    }
}
