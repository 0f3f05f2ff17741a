using ImeiEir.Server.Hosting;
using Microsoft.Extensions.Configuration;

namespace ImeiEir.Server.Tests.Deploy;

/// <summary>
/// Judges settings written in the kit (command lines, IMEIEIR_ environment entries) exactly as the server does at
/// start-up: <see cref="ServerSettings.Load"/>, with its unknown-key check and every option's validation.
/// </summary>
internal static class SettingsCheck
{
    public const string EnvironmentPrefix = "IMEIEIR_";

    /// <summary>The Dockerfile's ENV entries for the service (IMEIEIR_ ones), as command-line arguments.</summary>
    public static IEnumerable<string> DockerfileArguments()
    {
        var entries = new List<string>();
        bool inEnv = false;
        foreach (string raw in DeployKit.Read("Dockerfile").Split('\n'))
        {
            string line = raw.Trim();
            if (line.StartsWith("ENV ", StringComparison.Ordinal)) { inEnv = true; line = line[4..]; }
            else if (!inEnv) continue;
            inEnv = line.EndsWith('\\');
            line = line.TrimEnd('\\').Trim();
            if (line.Length > 0) entries.Add(line);
        }
        return entries.Where(e => e.StartsWith(EnvironmentPrefix, StringComparison.Ordinal)).Select(FromEnvironment);
    }

    /// <summary>IMEIEIR_Section__Key=value as --Section:Key=value.</summary>
    public static string FromEnvironment(string entry)
    {
        int eq = entry.IndexOf('=');
        string key = entry[EnvironmentPrefix.Length..eq].Replace("__", ":", StringComparison.Ordinal);
        return $"--{key}={entry[(eq + 1)..]}";
    }

    /// <summary>The server's settings for these arguments; a ConfigurationException names the bad key.</summary>
    public static ServerSettings Load(IEnumerable<string> arguments) =>
        ServerSettings.Load(new ConfigurationBuilder().AddCommandLine([.. arguments]).Build());
}
