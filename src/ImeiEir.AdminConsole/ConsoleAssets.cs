using System.Collections.Frozen;
using System.Reflection;

namespace ImeiEir.AdminConsole;

/// <summary>
/// The console's files, embedded in this assembly (<c>Assets/</c>) and read once at mapping time: the only files
/// <c>/admin</c> serves, so no path a browser sends ever reaches the file system.
/// </summary>
internal static class ConsoleAssets
{
    private const string Prefix = "ImeiEir.AdminConsole.Assets.";

    /// <summary>The page every console address without a file name answers with.</summary>
    public const string Index = "index.html";

    /// <summary>Every embedded file by its name (e.g. <c>console.js</c>).</summary>
    public static FrozenDictionary<string, ConsoleAsset> Load()
    {
        Assembly assembly = typeof(ConsoleAssets).Assembly;
        var assets = new Dictionary<string, ConsoleAsset>(StringComparer.Ordinal);
        foreach (string resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(Prefix, StringComparison.Ordinal)) continue;
            string name = resource[Prefix.Length..];
            using Stream stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            assets[name] = new ConsoleAsset(name, copy.ToArray(), ContentTypeOf(name));
        }
        if (!assets.ContainsKey(Index))
            throw new InvalidOperationException($"the admin console's {Index} is not embedded in {assembly.GetName().Name}");
        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        _ => "application/octet-stream",
    };
}
