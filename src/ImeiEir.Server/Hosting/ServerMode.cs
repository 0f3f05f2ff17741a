namespace ImeiEir.Server.Hosting;

/// <summary>What one <c>imeieir</c> process runs (configuration key <c>Mode</c>).</summary>
public enum ServerMode
{
    /// <summary>Registry + one EIR node in one process over DataDir: what a newcomer starts. The default.</summary>
    AllInOne,

    /// <summary>The central registry only: admin API, change feed, snapshot.</summary>
    Registry,

    /// <summary>An EIR node only, following the registry at <c>Registry:Url</c>.</summary>
    Eir,
}

internal static class ServerModes
{
    public static bool TryParse(string? text, out ServerMode mode)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case null or "" or "all-in-one" or "allinone":
                mode = ServerMode.AllInOne;
                return true;
            case "registry":
                mode = ServerMode.Registry;
                return true;
            case "eir":
                mode = ServerMode.Eir;
                return true;
            default:
                mode = default;
                return false;
        }
    }

    public static bool RunsNode(this ServerMode mode) => mode != ServerMode.Registry;

    public static bool RunsRegistry(this ServerMode mode) => mode != ServerMode.Eir;

    public static string Name(this ServerMode mode) => mode switch
    {
        ServerMode.AllInOne => "all-in-one",
        ServerMode.Registry => "registry",
        _ => "eir",
    };
}
