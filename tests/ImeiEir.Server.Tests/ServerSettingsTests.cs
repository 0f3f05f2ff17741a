using ImeiEir.Core;
using ImeiEir.Node.Configuration;
using ImeiEir.Server.Hosting;
using Microsoft.Extensions.Configuration;

namespace ImeiEir.Server.Tests;

[TestFixture]
public sealed class ServerSettingsTests
{
    private static ServerSettings Load(params string[] args) =>
        ServerSettings.Load(new ConfigurationBuilder().AddCommandLine(args).Build());

    private static string ErrorOf(params string[] args) =>
        Assert.Throws<ConfigurationException>(() => Load(args))!.Message;

    [Test]
    public void Defaults_are_valid_and_documented_values()
    {
        ServerSettings settings = Load();
        Assert.That(settings.Diameter.Host, Is.EqualTo("127.0.0.1"));
        Assert.That(settings.Diameter.Port, Is.EqualTo(3868));
        Assert.That(settings.Diameter.OriginHost, Is.EqualTo("eir.localdomain"));
        Assert.That(settings.Diameter.MaxMessageSize, Is.EqualTo(65536));
        Assert.That(settings.Policy.HomeNetworks, Is.EqualTo(new[] { "401" }));
        Assert.That(settings.DataDir, Is.EqualTo(Path.GetFullPath("data")));
        Assert.That((settings.Sbi.Host, settings.Sbi.Port, settings.Sbi.UsesTls), Is.EqualTo(("127.0.0.1", 7777, false)));
    }

    [TestCase("", ServerMode.AllInOne)]
    [TestCase("--Mode=all-in-one", ServerMode.AllInOne)]
    [TestCase("--Mode=registry", ServerMode.Registry)]
    [TestCase("--Mode=EIR --Registry:Url=http://10.0.0.5:8700 --Registry:ReaderToken=reader-token-0123456789", ServerMode.Eir)]
    public void The_mode_is_read_by_its_documented_names(string arguments, ServerMode expected)
    {
        Assert.That(Load(arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Mode, Is.EqualTo(expected));
    }

    [Test]
    public void Registry_Url_takes_several_registries_comma_separated_and_a_bad_one_is_one_line_naming_the_key()
    {
        const string token = "--Registry:ReaderToken=reader-token-0123456789";
        Assert.That(Load("--Mode=eir", "--Registry:Url=http://127.0.0.1:8700,http://127.0.0.1:8701", token).Registry.Url,
            Is.EqualTo("http://127.0.0.1:8700,http://127.0.0.1:8701"));
        string message = ErrorOf("--Mode=eir", "--Registry:Url=http://127.0.0.1:8700,127.0.0.1:8701", token);
        Assert.That(message, Is.EqualTo("Registry:Url: '127.0.0.1:8701' is not an absolute http:// or https:// URL"));
    }

    [Test]
    public void Registry_Log_and_Registry_Nats_keys_are_known_bind_and_a_bad_one_is_one_line_naming_the_key()
    {
        Assert.That(Load("--Mode=registry").Registry.Log, Is.EqualTo("Local"));
        ServerSettings settings = Load("--Mode=registry", "--Registry:Log=JetStream",
            "--Registry:Nats:Url=nats://127.0.0.1:4222,nats://127.0.0.1:4223", "--Registry:Nats:Stream=CHANGES", "--Registry:Nats:Replicas=1",
            "--Registry:Nats:CommitTimeout=00:00:02");
        Assert.That((settings.Registry.Log, settings.Registry.Nats.Urls.Count, settings.Registry.Nats.Stream, settings.Registry.Nats.Replicas,
                settings.Registry.Nats.CommitTimeout),
            Is.EqualTo(("JetStream", 2, "CHANGES", 1, TimeSpan.FromSeconds(2))));
        Assert.That(Load("--Mode=registry").Registry.Nats.CommitTimeout, Is.EqualTo(TimeSpan.FromSeconds(5)), "the default");
        Assert.That(ErrorOf("--Mode=registry", "--Registry:Log=JetStream", "--Registry:Nats:Url=nats://127.0.0.1:4222", "--Registry:Nats:CommitTimeout=00:00:00"),
            Does.StartWith("Registry:Nats:CommitTimeout:").And.Not.Contain("\n"));
        Assert.That(ErrorOf("--Mode=registry", "--Registry:Log=Kafka"), Is.EqualTo("Registry:Log: 'Kafka' must be Local or JetStream"));
        Assert.That(ErrorOf("--Mode=registry", "--Registry:Log=JetStream"), Does.StartWith("Registry:Nats:Url: missing").And.Not.Contain("\n"));
        Assert.That(ErrorOf("--Mode=registry", "--Registry:Log=JetStream", "--Registry:Nats:Url=nats://127.0.0.1:4222", "--Registry:Nats:Replicas=9"),
            Does.StartWith("Registry:Nats:Replicas:").And.Not.Contain("\n"));
        Assert.That(ErrorOf("--Mode=registry", "--Registry:Nats:Server=nats://127.0.0.1:4222"), Does.Contain("Server").And.Not.Contain("\n"));
    }

    [Test]
    public void Clones_keys_are_known_with_documented_defaults_and_bind()
    {
        Assert.That((Load().Clones.Threshold, Load().Clones.Window), Is.EqualTo((3, TimeSpan.FromDays(30))));
        ServerSettings settings = Load("--Clones:Threshold=4", "--Clones:Window=7.00:00:00", "--Clones:MaxImsisPerImei=8", "--Clones:SweepInterval=00:10:00");
        Assert.That((settings.Clones.Threshold, settings.Clones.Window, settings.Clones.MaxImsisPerImei, settings.Clones.SweepInterval),
            Is.EqualTo((4, TimeSpan.FromDays(7), 8, TimeSpan.FromMinutes(10))));
    }

    [Test]
    public void Registry_TokensFile_is_a_known_key_and_a_blank_one_is_refused_naming_it()
    {
        Assert.That(Load("--Mode=registry", "--Registry:TokensFile=/etc/imeieir/tokens").Registry.TokensFile, Is.EqualTo("/etc/imeieir/tokens"));
        Assert.That(ErrorOf("--Mode=registry", "--Registry:TokensFile= "), Does.StartWith("Registry:TokensFile:").And.Not.Contain("\n"));
    }

    [Test]
    public void An_eir_node_refuses_initial_lists_because_its_lists_come_from_the_registry()
    {
        string lists = Path.GetTempFileName();
        try
        {
            string message = ErrorOf("--Mode=eir", "--Registry:Url=http://127.0.0.1:8700", "--Registry:ReaderToken=reader-token-0123456789", $"--Store:InitialLists={lists}");
            Assert.That(message, Does.StartWith("Store:InitialLists:"));
        }
        finally
        {
            File.Delete(lists);
        }
    }

    [Test]
    public void A_restore_is_a_known_key_and_refuses_a_data_directory_that_is_not_empty_or_an_eir_node()
    {
        using var dir = new TempDirectory();
        string backup = Path.Combine(dir.Path, "registry.backup");
        File.WriteAllText(backup, "");
        string fresh = Path.Combine(dir.Path, "new");
        Assert.Multiple(() =>
        {
            Assert.That(Load("--Mode=registry", $"--DataDir={fresh}", $"--Registry:RestoreFrom={backup}").Registry.RestoreFrom, Is.EqualTo(backup));
            string notEmpty = ErrorOf("--Mode=registry", $"--DataDir={dir.Path}", $"--Registry:RestoreFrom={backup}");
            Assert.That(notEmpty, Does.StartWith("Registry:RestoreFrom: the data directory").And.Contain("not empty").And.Not.Contain("\n"));
            Assert.That(ErrorOf("--Mode=eir", "--Registry:Url=http://127.0.0.1:8700", "--Registry:ReaderToken=reader-token-0123456789",
                $"--DataDir={fresh}", $"--Registry:RestoreFrom={backup}"), Does.StartWith("Registry:RestoreFrom: only a registry"));
            Assert.That(ErrorOf("--Mode=registry", $"--DataDir={fresh}", "--Registry:RestoreFrom=/nonexistent/backup"),
                Does.StartWith("Registry:RestoreFrom: file"));
        });
    }

    [Test]
    public void An_eir_node_refuses_initial_lists_under_their_Registry_key_too()
    {
        string lists = Path.GetTempFileName();
        try
        {
            string message = ErrorOf("--Mode=eir", "--Registry:Url=http://127.0.0.1:8700", "--Registry:ReaderToken=reader-token-0123456789", $"--Registry:InitialLists={lists}");
            Assert.That(message, Does.StartWith("Registry:InitialLists: an eir node takes its lists from the registry"));
        }
        finally
        {
            File.Delete(lists);
        }
    }

    [Test]
    public void The_initial_lists_are_read_under_Registry()
    {
        string lists = Path.GetTempFileName();
        try
        {
            ServerSettings settings = Load($"--Registry:InitialLists={lists}", "--Registry:LoadDemoLists=false");
            Assert.That((settings.Registry.InitialLists, settings.Registry.LoadDemoLists), Is.EqualTo((lists, false)));
            Assert.That(settings.DeprecatedKeys, Is.Empty);
        }
        finally
        {
            File.Delete(lists);
        }
    }

    [Test]
    public void The_old_Store_keys_of_the_initial_lists_are_read_into_Registry_and_reported_as_deprecated()
    {
        string lists = Path.GetTempFileName();
        try
        {
            ServerSettings settings = Load($"--Store:InitialLists={lists}", "--Store:LoadDemoLists=false");
            Assert.That((settings.Registry.InitialLists, settings.Registry.LoadDemoLists), Is.EqualTo((lists, false)));
            Assert.That(settings.DeprecatedKeys, Is.EqualTo(new[]
            {
                new MovedKey("Store:InitialLists", "Registry:InitialLists"),
                new MovedKey("Store:LoadDemoLists", "Registry:LoadDemoLists"),
            }));
        }
        finally
        {
            File.Delete(lists);
        }
    }

    [Test]
    public void A_new_key_wins_over_its_deprecated_one()
    {
        ServerSettings settings = Load("--Store:LoadDemoLists=false", "--Registry:LoadDemoLists=true");
        Assert.That(settings.Registry.LoadDemoLists, Is.True);
        Assert.That(settings.DeprecatedKeys, Has.Count.EqualTo(1), "the old key is still reported");
    }

    [Test]
    public void The_regime_time_zone_is_read_under_Policy_and_its_old_Notify_keys_still_work()
    {
        ServerSettings current = Load("--Policy:TimeZone=Europe/Berlin", "--Policy:FallbackUtcOffset=01:00");
        ServerSettings old = Load("--Notify:TimeZone=Europe/Berlin", "--Notify:FallbackUtcOffset=01:00");
        Assert.Multiple(() =>
        {
            Assert.That((current.Policy.TimeZone, current.Policy.FallbackUtcOffset), Is.EqualTo(("Europe/Berlin", TimeSpan.FromHours(1))));
            Assert.That(current.DeprecatedKeys, Is.Empty);
            Assert.That((old.Policy.TimeZone, old.Policy.FallbackUtcOffset), Is.EqualTo(("Europe/Berlin", TimeSpan.FromHours(1))));
            Assert.That(old.DeprecatedKeys, Is.EqualTo(new[]
            {
                new MovedKey("Notify:TimeZone", "Policy:TimeZone"),
                new MovedKey("Notify:FallbackUtcOffset", "Policy:FallbackUtcOffset"),
            }));
            Assert.That(old.Policy.CreateCalendar().Zone.GetUtcOffset(new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.Zero)),
                Is.EqualTo(TimeSpan.FromHours(2)), "the configured zone, in summer time");
        });
    }

    [TestCase("--Notify:FallbackUtcOffset=15:00", "Notify:FallbackUtcOffset: 15:00:00 must be whole minutes")]
    [TestCase("--Policy:FallbackUtcOffset=05:00:30", "Policy:FallbackUtcOffset: 05:00:30 must be whole minutes")]
    [TestCase("--Notify:TimeZone= ", "Notify:TimeZone: must name a time zone")]
    public void A_bad_time_zone_setting_is_named_as_written(string argument, string expected) =>
        Assert.That(ErrorOf(argument), Does.StartWith(expected));

    [TestCase("--Diamter:Port=3999", "Diamter:Port: unknown setting (did you mean Diameter?)")]
    [TestCase("--http:port=8081", null)]
    [TestCase("--Polcy:HomeNetworks:0=25001", "Polcy:HomeNetworks:0: unknown setting (did you mean Policy?)")]
    [TestCase("--Datadir2=/srv/eir", "Datadir2: unknown setting (did you mean DataDir?)")]
    [TestCase("--Loging:LogLevel:Default=Debug", "Loging:LogLevel:Default: unknown setting (did you mean Logging?)")]
    [TestCase("--Frobnicate=1", "Frobnicate: unknown setting")]
    [TestCase("--Sbj:Port=7778", "Sbj:Port: unknown setting (did you mean Sbi?)")]
    public void An_unknown_top_level_key_is_refused_with_the_nearest_valid_one(string argument, string? expected)
    {
        if (expected is null)
            Assert.That(Load(argument).Http.Port, Is.EqualTo(8081));
        else
            Assert.That(ErrorOf(argument), Is.EqualTo(expected));
    }

    [TestCase("--Logging:LogLevel:Default=Debug")]
    [TestCase("--Kestrel:Limits:MaxRequestBodySize=1000")]
    [TestCase("--AllowedHosts=*")]
    [TestCase("--urls=http://127.0.0.1:0")]
    [TestCase("--environment=Development")]
    [TestCase("--contentRoot=/tmp")]
    [TestCase("--applicationName=imeieir")]
    public void The_hosts_own_keys_are_not_unknown(string argument) =>
        Assert.That(() => Load(argument), Throws.Nothing);

    [Test]
    public void Environment_variables_other_than_IMEIEIR_ones_are_not_judged()
    {
        // As WebApplication.CreateSlimBuilder adds DOTNET_ and ASPNETCORE_ variables, prefix stripped.
        const string variable = "DOTNETTEST_NOT_MINE_Frobnicate";
        Environment.SetEnvironmentVariable(variable, "1");
        try
        {
            IConfiguration configuration = new ConfigurationBuilder().AddEnvironmentVariables("DOTNETTEST_NOT_MINE_").Build();
            Assert.That(() => ServerSettings.Load(configuration), Throws.Nothing);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Test]
    public void Eirctls_IMEIEIR_TOKEN_in_the_environment_is_not_judged()
    {
        const string variable = "IMEIEIR_TOKEN";
        string? before = Environment.GetEnvironmentVariable(variable);
        Environment.SetEnvironmentVariable(variable, "admin-token-0123456789");
        try
        {
            IConfiguration configuration = new ConfigurationBuilder().AddEnvironmentVariables("IMEIEIR_").Build();
            Assert.That(() => ServerSettings.Load(configuration), Throws.Nothing);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, before);
        }
    }

    [Test]
    public void An_unknown_IMEIEIR_environment_variable_is_refused()
    {
        const string variable = "IMEIEIR_Diamter__Port";
        Environment.SetEnvironmentVariable(variable, "3999");
        try
        {
            IConfiguration configuration = new ConfigurationBuilder().AddEnvironmentVariables("IMEIEIR_").Build();
            Assert.That(Assert.Throws<ConfigurationException>(() => ServerSettings.Load(configuration))!.Message,
                Is.EqualTo("Diamter:Port: unknown setting (did you mean Diameter?)"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [TestCase("--Store:Directory=/srv/store", "Store:Directory: unknown setting")]
    [TestCase("--Sync:RegistryUrl=http://10.0.0.5:8700", "Sync:RegistryUrl: unknown setting")]
    [TestCase("--Sync:ReaderToken=reader-token-0123456789", "Sync:ReaderToken: unknown setting")]
    [TestCase("--Sightings:RegistryUrl=http://10.0.0.5:8700", "Sightings:RegistryUrl: unknown setting")]
    [TestCase("--Sightings:NodeName=eir-1", "Sightings:NodeName: unknown setting")]
    [TestCase("--Store:LoadDemoLists=perhaps", "Store:LoadDemoLists: 'perhaps' is not a valid boolean")]
    [TestCase("--Registry:InitialLists=/nonexistent/lists.csv", "Registry:InitialLists: file '/nonexistent/lists.csv' does not exist")]
    public void What_the_host_sets_itself_is_not_a_setting_and_a_moved_key_is_named_as_written(string argument, string expected)
    {
        Assert.That(ErrorOf(argument), Does.StartWith(expected));
    }

    [Test]
    public void A_configured_array_replaces_the_default_instead_of_appending_to_it()
    {
        ServerSettings settings = Load("--Policy:HomeNetworks:0=25001", "--Policy:HomeNetworks:1=25002");
        Assert.That(settings.Policy.HomeNetworks, Is.EqualTo(new[] { "25001", "25002" }));
        Assert.That(DecisionPolicy.Create(settings.Policy).IsHomeSubscriber("401011234567890"u8), Is.False);
    }

    [TestCase("--Diameter:Port=70000", "Diameter:Port:")]
    [TestCase("--Clones:Threshold=1", "Clones:Threshold: 1 must be between 2")]
    [TestCase("--Clones:Window=00:00:05", "Clones:Window:")]
    [TestCase("--Clones:Windw=30.00:00:00", "Clones:Windw: unknown setting")]
    [TestCase("--Mode=eir", "Registry:Url:")]
    [TestCase("--Mode=eir --Registry:Url=http://127.0.0.1:8700", "Registry:ReaderToken:")]
    [TestCase("--Diameter:Port=abc", "Diameter:Port:")]
    [TestCase("--Diameter:Host=not-an-ip", "Diameter:Host:")]
    [TestCase("--Diameter:OriginHost=bad!host", "Diameter:OriginHost:")]
    [TestCase("--Diameter:MaxMessageSize=1001", "Diameter:MaxMessageSize:")]
    [TestCase("--Diameter:WatchdogInterval=soon", "Diameter:WatchdogInterval:")]
    [TestCase("--Sightings:AttachFilterSlots=1", "Sightings:AttachFilterSlots:")]
    [TestCase("--Notify:RetainDays=0", "Notify:RetainDays:")]
    [TestCase("--Store:ShutdownCheckpointTimeout=00:00:00", "Store:ShutdownCheckpointTimeout:")]
    [TestCase("--Store:HugePageIndex=sometimes", "Store:HugePageIndex:")]
    [TestCase("--Diameter:WaitForDataBeforeAllocatingBuffer=maybe", "Diameter:WaitForDataBeforeAllocatingBuffer:")]
    [TestCase("--Diameter:IOQueueCount=-2", "Diameter:IOQueueCount:")]
    [TestCase("--Diameter:Transport=uring", "Diameter:Transport:")]
    [TestCase("--Diameter:EventLoops=65", "Diameter:EventLoops:")]
    [TestCase("--Diameter:EventLoops=-1", "Diameter:EventLoops:")]
    [TestCase("--Diameter:IOQueueCount=65", "Diameter:IOQueueCount:")]
    [TestCase("--Mode=registry --Diameter:InlineScheduling=true", "Diameter:InlineScheduling:")]
    [TestCase("--Diameter:IdleTimeout=00:00:10", "Diameter:IdleTimeout:")]
    [TestCase("--Diameter:Prot=3869", "Diameter:Prot:")]
    [TestCase("--Store:InitialLists=/nonexistent/lists.csv", "Store:InitialLists:")]
    [TestCase("--Store:CheckpointInterval=-00:01:00", "Store:CheckpointInterval:")]
    [TestCase("--Policy:HomeNetworks:0=4O1", "Policy:HomeNetworks")]
    [TestCase("--Policy:UnknownAnswer=Maybe", "Policy:UnknownAnswer:")]
    [TestCase("--Policy:RegimeStart=yesterday", "Policy:RegimeStart:")]
    [TestCase("--Mode=standalone", "Mode:")]
    [TestCase("--Http:Port=-1", "Http:Port:")]
    [TestCase("--Registry:Port=99999", "Registry:Port:")]
    [TestCase("--Registry:FeedRetention=7days", "Registry:FeedRetention: '7days' is not a valid")]
    [TestCase("--Registry:FeedRetention=00:00:10", "Registry:FeedRetention: 00:00:10 must be at least 00:01:00")]
    [TestCase("--Registry:HistoryRetention=always", "Registry:HistoryRetention: 'always' must be 'forever' or a duration")]
    [TestCase("--Sbi:Port=70000", "Sbi:Port:")]
    [TestCase("--Sbi:Host=amf.example", "Sbi:Host:")]
    [TestCase("--Sbi:Prot=7778", "Sbi:Prot:")]
    [TestCase("--Sbi:Port=9000 --Http:Port=9000", "Sbi:Port:")]
    [TestCase("--Sbi:CertificatePath=/nonexistent/sbi.pem", "Sbi:CertificatePath:")]
    [TestCase("--Sbi:CertificateKeyPath=/nonexistent/sbi.key", "Sbi:CertificateKeyPath:")]
    public void Bad_configuration_is_one_line_that_names_the_key(string arguments, string key)
    {
        string message = ErrorOf(arguments.Split(' '));
        Assert.That(message, Does.StartWith(key));
        Assert.That(message, Does.Not.Contain("\n"));
    }

    [Test]
    public void An_SBI_certificate_that_is_not_one_is_one_line_naming_the_key()
    {
        using var directory = new TempDirectory();
        string path = Path.Combine(directory.Path, "sbi.pem");
        File.WriteAllText(path, "not a certificate\n");
        string message = ErrorOf($"--Sbi:CertificatePath={path}");
        Assert.That(message, Does.StartWith("Sbi:CertificatePath: cannot load"));
        Assert.That(message, Does.Not.Contain("\n"));
    }

    [Test]
    public void Huge_pages_for_the_index_are_on_unless_turned_off()
    {
        Assert.That(Load().Store.HugePageIndex, Is.True);
        Assert.That(Load("--Store:HugePageIndex=false").Store.HugePageIndex, Is.False);
    }

    [Test]
    public void Receives_take_their_buffer_at_once_unless_configured_to_wait_for_data()
    {
        Assert.That(Load().Diameter.WaitForDataBeforeAllocatingBuffer, Is.False);
        Assert.That(Load("--Diameter:WaitForDataBeforeAllocatingBuffer=true").Diameter.WaitForDataBeforeAllocatingBuffer, Is.True);
    }

    [Test]
    public void Socket_completions_go_straight_to_the_thread_pool_unless_configured()
    {
        Assert.That(Load().Diameter.IOQueueCount, Is.Zero);
        Assert.That(Load("--Diameter:IOQueueCount=-1").Diameter.IOQueueCount, Is.EqualTo(-1));
    }

    [Test]
    public void Diameter_runs_on_epoll_event_loops_one_per_core_on_linux_x64_unless_configured()
    {
        bool linuxX64 = OperatingSystem.IsLinux() && System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64;
        Assert.That(Load().Diameter.Transport, Is.EqualTo(linuxX64 ? DiameterTransport.Epoll : DiameterTransport.Sockets));
        Assert.That(Load().Diameter.EffectiveEventLoops, Is.EqualTo(Environment.ProcessorCount));
        Assert.That(Load("--Diameter:EventLoops=3").Diameter.EffectiveEventLoops, Is.EqualTo(3));
        Assert.That(Load("--Diameter:Transport=sockets").Diameter.Transport, Is.EqualTo(DiameterTransport.Sockets));
    }

    [Test]
    public void The_notifier_lives_under_the_data_directory_unless_configured()
    {
        Assert.That(Load("--DataDir=/tmp/eir-x").Notify.DataDirectory, Is.EqualTo(Path.Combine("/tmp/eir-x", "notify")));
        Assert.That(Load("--DataDir=/tmp/eir-x", "--Notify:DataDirectory=/srv/notices").Notify.DataDirectory, Is.EqualTo("/srv/notices"));
        Assert.That(Load().Notify.DeliveryEnabled, Is.False, "no gateway configured: nothing is sent");
    }

    [TestCase("--Notify:RatePerSecond=0", "Notify:RatePerSecond: 0 must be between 0.01 and 10000 messages per second")]
    [TestCase("--Notify:SendSmsUrl=ftp://gw/x", "Notify:SendSmsUrl: 'ftp://gw/x' is not an absolute http:// or https:// URL")]
    [TestCase("--Notify:SendSmsUrl=http://127.0.0.1:13013/cgi-bin/sendsms", "Notify:Username: required with Notify:SendSmsUrl")]
    [TestCase("--Notify:Sender=x", "Notify:Sender: unknown setting")]
    [TestCase("--Notify:DlrMask=many", "Notify:DlrMask: 'many' is not a valid whole number")]
    public void A_bad_notify_setting_stops_start_up_with_one_line_naming_the_key(string argument, string expected)
    {
        string message = ErrorOf(argument);
        Assert.That(message, Does.StartWith(expected));
        Assert.That(message, Does.Not.Contain("\n"));
    }

    [TestCase("--Notify:DefaultTemplateSet=beeline", "Notify:DefaultTemplateSet: no template set 'beeline' (have: altel, tele2)")]
    [TestCase("--Notify:NetworkTemplateSets:40107=altel", "Notify:NetworkTemplateSets:40107: set 'altel' uses [ссылка на Обязательства]: give its URL as Notify:CommitmentsUrls:altel")]
    [TestCase("--Notify:NetworkTemplateSets:4010=altel", "Notify:NetworkTemplateSets:4010: is not an MCC+MNC of 5 or 6 digits")]
    [TestCase("--Notify:CommitmentsUrls:altel=obligations", "Notify:CommitmentsUrls:altel: 'obligations' is not an absolute http:// or https:// URL")]
    [TestCase("--Notify:TemplateSets:0=/nonexistent/sets/ours.txt", "Notify:TemplateSets: cannot read /nonexistent/sets/ours.txt")]
    public void A_bad_template_set_setting_stops_start_up_with_one_line_naming_the_key(string argument, string expected)
    {
        string message = ErrorOf(argument);
        Assert.That(message, Does.StartWith(expected));
        Assert.That(message, Does.Not.Contain("\n"));
    }

    [Test]
    public void A_template_set_file_with_an_unknown_placeholder_stops_start_up_naming_the_file_and_the_text()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "ours.txt");
        File.WriteAllText(path, "set: ours\nblocked-attach ru: [imei] [номер]\nblocked-attach kk: =ru\n");
        string message = ErrorOf($"--Notify:TemplateSets:0={path}");
        Assert.That(message, Does.StartWith($"{path}:2: blocked-attach ru: unknown placeholder [номер]"));
        Assert.That(message, Does.Not.Contain("\n"));
    }

    [Test]
    public void The_template_set_keys_are_known_settings()
    {
        ServerSettings settings = Load("--Notify:DefaultTemplateSet=tele2", "--Notify:NetworkTemplateSets:40107=altel",
            "--Notify:CommitmentsUrls:altel=https://example.kz/obligations");
        Assert.That((settings.Notify.NetworkTemplateSets["40107"], settings.Notify.CommitmentsUrls["altel"]),
            Is.EqualTo(("altel", "https://example.kz/obligations")));
    }
}
