using ImeiEir.Core;
using ImeiEir.Node.Configuration;
using ImeiEir.Notify;
using ImeiEir.Registry;
using ImeiEir.Store;
using ImeiEir.Sync;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.Configuration.EnvironmentVariables;

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

    /// <summary>The node's N5g-eir over HTTP/2 for the 5G core (eir and all-in-one).</summary>
    public required SbiOptions Sbi { get; init; }

    public required RegistryOptions Registry { get; init; }

    /// <summary>The registry's clone watch over the (IMEI, IMSI) pairs nodes report (registry and all-in-one).</summary>
    public CloneOptions Clones { get; init; } = new();

    /// <summary>The node's sync agent; the registry it follows comes from <see cref="Registry"/>.</summary>
    public required SyncOptions Sync { get; init; }

    /// <summary>The node's sightings; the registry they go to comes from <see cref="Registry"/>.</summary>
    public required SightingsOptions Sightings { get; init; }

    public required DiameterOptions Diameter { get; init; }

    /// <summary>The node's store; its <see cref="StoreOptions.Directory"/> is <see cref="StoreDirectory"/>, never configured.</summary>
    public required StoreOptions Store { get; init; }

    public required PolicyOptions Policy { get; init; }

    /// <summary>The SMS notifier (registry and all-in-one); its outbox and directory default to <c>&lt;DataDir&gt;/notify</c>.</summary>
    public required NotifyOptions Notify { get; init; }

    /// <summary>Deprecated keys the configuration used (each is logged once as the process starts).</summary>
    public IReadOnlyList<MovedKey> DeprecatedKeys { get; private init; } = [];

    public string StoreDirectory => Path.Combine(DataDir, "store");

    public string RegistryDirectory => Path.Combine(DataDir, "registry");

    /// <summary>Binds and validates; throws <see cref="ConfigurationException"/> with the first problem found.</summary>
    public static ServerSettings Load(IConfiguration configuration)
    {
        if (UnknownTopLevelKey(configuration) is { } unknown)
            throw new ConfigurationException(unknown);
        string dataDir = configuration["DataDir"] is { Length: > 0 } d ? d : "data";
        if (!ServerModes.TryParse(configuration["Mode"], out ServerMode mode))
            throw new ConfigurationException($"Mode: '{configuration["Mode"]}' is not a mode (all-in-one, registry or eir)");
        MovedKey[] deprecated = [.. MovedKeys.Where(k => configuration[k.Old] is not null)];
        // Read from the new key when it is set, else from the old one; a problem with a value read from an old key
        // names the old key, the one the operator wrote.
        MovedKey[] readFromOld = [.. deprecated.Where(k => configuration[k.New] is null)];
        var settings = new ServerSettings
        {
            Mode = mode,
            DataDir = Path.GetFullPath(dataDir),
            DeprecatedKeys = deprecated,
            Http = Bind<HttpOptions>(configuration, HttpOptions.Section),
            Sbi = Bind<SbiOptions>(configuration, SbiOptions.Section),
            Registry = BindSection<RegistryOptions>(configuration, RegistryOptions.Section, readFromOld),
            Clones = Bind<CloneOptions>(configuration, CloneOptions.Section),
            Sync = Bind<SyncOptions>(configuration, SyncOptions.Section),
            Sightings = Bind<SightingsOptions>(configuration, SightingsOptions.Section),
            Diameter = Bind<DiameterOptions>(configuration, DiameterOptions.Section),
            Store = BindStore(configuration, readFromOld),
            Policy = BindSection<PolicyOptions>(configuration, PolicyOptions.SectionName, readFromOld),
            Notify = BindSection<NotifyOptions>(configuration, NotifyOptions.Section, readFromOld),
        };
        settings.Store.Directory = settings.StoreDirectory;
        if (string.IsNullOrEmpty(configuration[$"{NotifyOptions.Section}:{nameof(NotifyOptions.DataDirectory)}"]))
            settings.Notify.DataDirectory = Path.Combine(settings.DataDir, "notify");

        string? problem = settings.Diameter.Validate()
            .Concat(settings.Store.Validate())
            .Concat(settings.Policy.Validate())
            .Concat(settings.Http.Validate())
            .Concat(settings.Sbi.Validate())
            .Concat(settings.Registry.Validate())
            .Concat(settings.Clones.Validate())
            .Concat(settings.Sync.Validate())
            .Concat(settings.Sightings.Validate())
            .Concat(settings.Notify.Validate())
            .Concat(settings.ValidateMode())
            .FirstOrDefault();
        if (problem is not null)
            throw new ConfigurationException(Attribute(readFromOld, problem));
        if (mode != ServerMode.Eir)
        {
            // The notice texts are configuration too (Notify:TemplateSets and the keys naming sets): a bad file or an
            // unknown set stops start-up here with its one line, not at the first SMS.
            try
            {
                ImeiEir.Notify.Texts.NoticeTemplates.Load(settings.Notify);
            }
            catch (InvalidDataException e)
            {
                throw new ConfigurationException(e.Message);
            }
        }
        return settings;
    }

    // The top-level names of this service's own settings; a key under any other name is a mistake (a misspelled
    // section would otherwise be ignored: the binder only checks the keys inside the sections it binds).
    private static readonly string[] OwnTopLevelNames =
    [
        "Mode", "DataDir", HttpOptions.Section, SbiOptions.Section, RegistryOptions.Section, SyncOptions.Section, SightingsOptions.Section,
        CloneOptions.Section, DiameterOptions.Section, "Store", PolicyOptions.SectionName, NotifyOptions.Section,
    ];

    // What the .NET host reads itself from the same configuration (logging, Kestrel, the web host's settings).
    private static readonly string[] HostTopLevelNames =
    [
        "Logging", "Kestrel", "AllowedHosts", "urls", "http_ports", "https_ports", "https_port", "environment",
        "contentRoot", "applicationName", "hostBuilder", "webroot", "detailedErrors", "captureStartupErrors",
        "preventHostingStartup", "hostingStartupAssemblies", "hostingStartupExcludeAssemblies", "suppressStatusMessages",
        "shutdownTimeoutSeconds", "preferHostingUrls", "startupAssembly",
    ];

    private const string EnvironmentPrefix = "IMEIEIR_";

    // eirctl's own variables (IMEIEIR_REGISTRY, IMEIEIR_TOKEN), which an operator may export in the server's shell;
    // REGISTRY is a section name already.
    private static readonly string[] EirctlVariableNames = ["TOKEN"];

    // Only what the operator wrote for this service is judged: the command line, the JSON files and the IMEIEIR_
    // environment variables. The host's DOTNET_ and ASPNETCORE_ variables arrive prefix stripped, under any name.
    private static string? UnknownTopLevelKey(IConfiguration configuration)
    {
        if (configuration is not IConfigurationRoot root)
            return null;
        string[] imeieirVariables = [.. Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(v => v.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
            .Select(v => v[EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal))];
        foreach (IConfigurationProvider provider in root.Providers)
        {
            bool fromEnvironment = provider is EnvironmentVariablesConfigurationProvider;
            if (!fromEnvironment && provider is not (CommandLineConfigurationProvider or FileConfigurationProvider))
                continue;
            foreach (string name in provider.GetChildKeys([], parentPath: null).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal))
            {
                if (OwnTopLevelNames.Concat(HostTopLevelNames).Contains(name, StringComparer.OrdinalIgnoreCase))
                    continue;
                if (fromEnvironment && (!imeieirVariables.Any(v => IsAtOrUnder(v, name)) || EirctlVariableNames.Contains(name, StringComparer.OrdinalIgnoreCase)))
                    continue;
                string key = configuration.GetSection(name).AsEnumerable()
                    .Where(kv => kv.Value is not null).Select(kv => kv.Key).Order(StringComparer.Ordinal).FirstOrDefault() ?? name;
                return Nearest(name) is { } nearest ? $"{key}: unknown setting (did you mean {nearest}?)" : $"{key}: unknown setting";
            }
        }
        return null;
    }

    // The closest known name, when it is close enough to be a slip (an edit or two, at most a third of the name).
    private static string? Nearest(string name)
    {
        int limit = Math.Min(2, Math.Max(1, name.Length / 3));
        return OwnTopLevelNames.Concat(["Logging", "Kestrel", "AllowedHosts"])
            .Select(known => (Known: known, Distance: Levenshtein(name.ToLowerInvariant(), known.ToLowerInvariant())))
            .Where(c => c.Distance <= limit)
            .OrderBy(c => c.Distance)
            .Select(c => c.Known)
            .FirstOrDefault();
    }

    private static int Levenshtein(string a, string b)
    {
        int[] previous = [.. Enumerable.Range(0, b.Length + 1)];
        int[] current = new int[b.Length + 1];
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    // The initial lists seed the registry, not the store; the regime's time zone is the whole regime's, not only the
    // notices'. The old keys are still read, into the new ones.
    private static readonly MovedKey[] MovedKeys =
    [
        new("Store:InitialLists", "Registry:InitialLists"),
        new("Store:LoadDemoLists", "Registry:LoadDemoLists"),
        new("Notify:TimeZone", "Policy:TimeZone"),
        new("Notify:FallbackUtcOffset", "Policy:FallbackUtcOffset"),
    ];

    // The store's Directory is the host's to set, so configuring it is an error like any other unknown key.
    private static StoreOptions BindStore(IConfiguration configuration, IReadOnlyList<MovedKey> readFromOld)
    {
        if (configuration.GetSection("Store").GetChildren()
                .FirstOrDefault(c => c.Key.Equals(nameof(StoreOptions.Directory), StringComparison.OrdinalIgnoreCase)) is { } directory)
            throw new ConfigurationException($"Store:{directory.Key}: unknown setting");
        return BindSection<StoreOptions>(configuration, "Store", readFromOld);
    }

    // Binds a section without the keys that moved out of it, and with the old keys' values under the new keys that
    // moved into it (below everything configured: a new key that is set wins).
    private static T BindSection<T>(IConfiguration configuration, string section, IReadOnlyList<MovedKey> readFromOld) where T : new()
    {
        if (!MovedKeys.Any(k => IsAtOrUnder(k.Old, section) || IsAtOrUnder(k.New, section)))
            return Bind<T>(configuration, section);
        IConfiguration source = new ConfigurationBuilder()
            .AddInMemoryCollection(readFromOld.Where(k => IsAtOrUnder(k.New, section))
                .Select(k => new KeyValuePair<string, string?>(k.New, configuration[k.Old])))
            .AddInMemoryCollection(configuration.GetSection(section).AsEnumerable()
                .Where(kv => kv.Value is not null && !MovedKeys.Any(k => IsAtOrUnder(kv.Key, k.Old))))
            .Build();
        return Attributed(readFromOld, () => Bind<T>(source, section));
    }

    private static T Attributed<T>(IReadOnlyList<MovedKey> readFromOld, Func<T> bind)
    {
        try
        {
            return bind();
        }
        catch (ConfigurationException e)
        {
            string message = Attribute(readFromOld, e.Message);
            if (ReferenceEquals(message, e.Message)) throw;
            throw new ConfigurationException(message);
        }
    }

    private static string Attribute(IReadOnlyList<MovedKey> readFromOld, string problem)
    {
        foreach (MovedKey key in readFromOld)
        {
            if (problem.StartsWith(key.New + ":", StringComparison.OrdinalIgnoreCase))
                return key.Old + problem[key.New.Length..];
        }
        return problem;
    }

    private static bool IsAtOrUnder(string path, string key) =>
        path.Equals(key, StringComparison.OrdinalIgnoreCase) || path.StartsWith(key + ":", StringComparison.OrdinalIgnoreCase);

    private IEnumerable<string> ValidateMode()
    {
        // The SBI port is told from the HTTP port by the connection's local port, so they must differ.
        if (Mode.RunsNode() && Sbi.Port != 0 && Sbi.Port == Http.Port)
            yield return $"Sbi:Port: {Sbi.Port} is Http:Port too; N5g-eir over HTTP/2 needs a port of its own";
        if (Mode == ServerMode.Registry && Diameter.InlineScheduling)
            yield return "Diameter:InlineScheduling: not in registry mode: it has no Diameter port, and its handlers write to disk, which must not run on a socket's I/O thread";
        if (Registry.RestoreFrom is not null && Mode == ServerMode.Eir)
            yield return "Registry:RestoreFrom: only a registry restores a backup (Mode=registry or all-in-one); an eir node bootstraps from its registry";
        // Before anything (the data-directory locks) writes there: a restore starts a new data directory.
        else if (Registry.RestoreFrom is not null && Directory.Exists(DataDir) && Directory.EnumerateFileSystemEntries(DataDir).Any())
            yield return $"Registry:RestoreFrom: the data directory '{DataDir}' is not empty; restore into a new, empty one (and leave the key out of later starts)";
        if (Mode != ServerMode.Eir)
            yield break;
        // A bad Url is named by RegistryOptions.Validate already: one line per problem.
        if (string.IsNullOrWhiteSpace(Registry.Url))
            yield return "Registry:Url: an eir node needs the registry's http(s) URL, or several comma-separated (e.g. http://10.0.0.5:8700,http://10.0.0.6:8700)";
        else if (string.IsNullOrEmpty(Registry.ReaderToken))
            yield return "Registry:ReaderToken: an eir node needs the registry's reader token (the registry writes it to <DataDir>/registry/reader.token)";
        if (Registry.InitialLists is not null)
            yield return "Registry:InitialLists: an eir node takes its lists from the registry; push the file there with 'eirctl push'";
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
            // The binder names the property only; in a nested section (Notify:Lease:Ttl) name the key as written.
            string? written = configuration.GetSection(section).AsEnumerable()
                .Where(kv => kv.Value is not null && kv.Key.Split(':').Skip(section.Split(':').Length).Contains(first, StringComparer.OrdinalIgnoreCase))
                .Select(kv => kv.Key).Order(StringComparer.Ordinal).FirstOrDefault();
            return $"{written ?? $"{section}:{first}"}: unknown setting";
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
