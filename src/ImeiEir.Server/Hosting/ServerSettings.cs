using ImeiEir.Core;
using ImeiEir.Notify;
using ImeiEir.Registry;
using Microsoft.Extensions.Configuration;

namespace ImeiEir.Server.Hosting;

/// <summary>
/// Every setting of the node, bound from standard .NET configuration and validated as a whole before anything
/// starts, so a mistake stops start-up with one line naming the key rather than a stack trace later.
/// </summary>
public sealed class ServerSettings
{
    /// <summary>all-in-one (default), registry or eir.</summary>
    public required ServerMode Mode { get; init; }

    /// <summary>Root of the local state: <c>store/</c> for the node, <c>registry/</c> for the registry. Default <c>data</c> under the working directory.</summary>
    public required string DataDir { get; init; }

    public required HttpOptions Http { get; init; }

    public required RegistryOptions Registry { get; init; }

    public required SyncHostOptions Sync { get; init; }

    public required SightingsHostOptions Sightings { get; init; }

    public required DiameterOptions Diameter { get; init; }

    public required StoreHostOptions Store { get; init; }

    public required PolicyOptions Policy { get; init; }

    /// <summary>The SMS notifier (registry and all-in-one); its outbox and directory default to <c>&lt;DataDir&gt;/notify</c>.</summary>
    public required NotifyOptions Notify { get; init; }

    public string StoreDirectory => Path.Combine(DataDir, "store");

    public string RegistryDirectory => Path.Combine(DataDir, "registry");

    /// <summary>Binds and validates; throws <see cref="ConfigurationException"/> with the first problem found.</summary>
    public static ServerSettings Load(IConfiguration configuration)
    {
        string dataDir = configuration["DataDir"] is { Length: > 0 } d ? d : "data";
        if (!ServerModes.TryParse(configuration["Mode"], out ServerMode mode))
            throw new ConfigurationException($"Mode: '{configuration["Mode"]}' is not a mode (all-in-one, registry or eir)");
        var settings = new ServerSettings
        {
            Mode = mode,
            DataDir = Path.GetFullPath(dataDir),
            Http = Bind<HttpOptions>(configuration, HttpOptions.Section),
            Registry = Bind<RegistryOptions>(configuration, "Registry"),
            Sync = Bind<SyncHostOptions>(configuration, SyncHostOptions.Section),
            Sightings = Bind<SightingsHostOptions>(configuration, SightingsHostOptions.Section),
            Diameter = Bind<DiameterOptions>(configuration, DiameterOptions.Section),
            Store = Bind<StoreHostOptions>(configuration, StoreHostOptions.Section),
            Policy = Bind<PolicyOptions>(configuration, "Policy"),
            Notify = Bind<NotifyOptions>(configuration, NotifyOptions.Section),
        };
        if (string.IsNullOrEmpty(configuration[$"{NotifyOptions.Section}:{nameof(NotifyOptions.DataDirectory)}"]))
            settings.Notify.DataDirectory = Path.Combine(settings.DataDir, "notify");

        string? problem = settings.Diameter.Validate()
            .Concat(settings.Store.Validate())
            .Concat(settings.Policy.Validate())
            .Concat(settings.Http.Validate())
            .Concat(settings.Registry.Validate())
            .Concat(settings.Sync.Validate())
            .Concat(settings.Sightings.Validate())
            .Concat(settings.Notify.Validate())
            .Concat(settings.ValidateMode())
            .FirstOrDefault();
        if (problem is not null)
            throw new ConfigurationException(problem);
        return settings;
    }

    private IEnumerable<string> ValidateMode()
    {
        if (Mode == ServerMode.Registry && Diameter.InlineScheduling)
            yield return "Diameter:InlineScheduling: not in registry mode: it has no Diameter port, and its handlers write to disk, which must not run on a socket's I/O thread";
        if (Mode != ServerMode.Eir)
            yield break;
        if (!Uri.TryCreate(Registry.Url, UriKind.Absolute, out Uri? url) || url.Scheme is not ("http" or "https"))
            yield return $"Registry:Url: '{Registry.Url}' must be the registry's http(s) URL in eir mode (e.g. http://10.0.0.5:8700)";
        else if (string.IsNullOrEmpty(Registry.ReaderToken))
            yield return "Registry:ReaderToken: an eir node needs the registry's reader token (the registry writes it to <DataDir>/registry/reader.token)";
        if (Store.InitialLists is not null)
            yield return "Store:InitialLists: an eir node takes its lists from the registry; push the file there with 'eirctl push'";
    }

    private static T Bind<T>(IConfiguration configuration, string section) where T : new()
    {
        var options = new T();
        try
        {
            configuration.GetSection(section).Bind(options, o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException e)
        {
            throw new ConfigurationException(DescribeBindFailure(configuration, section, e));
        }
        ReplaceConfiguredArrays(configuration.GetSection(section), options);
        return options;
    }

    // The binder appends configured array items to the defaults (HomeNetworks ["401"] + ["25001"] = both), so a
    // default could never be narrowed. A configured array replaces the default instead, as an operator expects.
    private static void ReplaceConfiguredArrays(IConfigurationSection section, object options)
    {
        foreach (var property in options.GetType().GetProperties())
        {
            if (property.PropertyType != typeof(string[]) || !property.CanWrite)
                continue;
            IConfigurationSection[] items = section.GetSection(property.Name).GetChildren()
                .OrderBy(c => int.TryParse(c.Key, out int i) ? i : int.MaxValue).ToArray();
            if (items.Length > 0)
                property.SetValue(options, items.Select(c => c.Value ?? "").ToArray());
        }
    }

    // The binder's messages name the path ("...value at 'Diameter:Port' to type 'System.Int32'") or, for unknown keys,
    // only the type; rephrase both as "Section:Key: problem".
    private static string DescribeBindFailure(IConfiguration configuration, string section, InvalidOperationException e)
    {
        string message = e.Message;
        int at = message.IndexOf(" at '", StringComparison.Ordinal);
        if (at >= 0)
        {
            int end = message.IndexOf('\'', at + 5);
            string key = message[(at + 5)..end];
            string? value = configuration[key];
            int toType = message.IndexOf("to type '", StringComparison.Ordinal);
            string type = toType >= 0 ? message[(toType + 9)..message.IndexOf('\'', toType + 9)] : "the expected type";
            return $"{key}: '{value}' is not a valid {FriendlyType(type)}";
        }

        // "...but the following properties were not found on the instance of T: 'Prot', 'Hots'"
        int list = message.LastIndexOf(": '", StringComparison.Ordinal);
        if (message.Contains("were not found", StringComparison.Ordinal) && list >= 0)
        {
            string first = message[(list + 2)..].Split(',', StringSplitOptions.TrimEntries)[0].Trim('\'');
            return $"{section}:{first}: unknown setting";
        }
        return $"{section}: {message}";
    }

    private static string FriendlyType(string clrType) => clrType switch
    {
        "System.Int32" or "System.Int64" => "whole number",
        "System.TimeSpan" => "time span (hh:mm:ss or d.hh:mm:ss)",
        "System.DateTimeOffset" => "date (ISO 8601, e.g. 2025-05-25T00:00:00+05:00)",
        "System.Boolean" => "boolean (true or false)",
        _ when clrType.EndsWith("UnknownAnswer", StringComparison.Ordinal) => "value (Grey or EquipmentUnknown)",
        _ => clrType,
    };
}
