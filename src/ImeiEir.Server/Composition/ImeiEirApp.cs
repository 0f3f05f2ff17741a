using ImeiEir.Node;
using ImeiEir.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Server.Composition;

/// <summary>Builds the whole process from its arguments: the executable and in-process tests share this.</summary>
internal static class ImeiEirApp
{
    /// <summary>
    /// Loads and validates the configuration and builds the host. <paramref name="configure"/> runs after every
    /// registration, so tests can replace a service (the regime clock). Throws <see cref="ConfigurationException"/>
    /// or <see cref="Core.PolicyConfigurationException"/> for bad configuration, and a <see cref="ConfigurationException"/>
    /// naming DataDir when another process holds its store or registry directory (<see cref="DataDirectoryLock"/>), and
    /// a <see cref="ListenException"/> when a configured port cannot be bound (<see cref="ListenProbe"/>).
    /// </summary>
    public static (WebApplication App, ServerSettings Settings, ListenEndpoints Endpoints) Build(string[] args, Action<IServiceCollection>? configure = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory, // appsettings.json ships beside the binary
        });
        // Precedence, lowest first: appsettings.json, IMEIEIR_* environment variables, --Section:Key=value.
        builder.Configuration.AddEnvironmentVariables("IMEIEIR_");
        builder.Configuration.AddCommandLine(args);

        ServerSettings settings = ServerSettings.Load(builder.Configuration);
        // Before the data directory is locked or opened: a busy port is refused with one line and nothing touched.
        ListenProbe.Check(settings);
        // Before anything opens a file in them; the container disposes the locks with the host.
        DataDirectoryLocks locks = DataDirectoryLocks.Acquire(settings);
        WebApplication app;
        ListenEndpoints endpoints;
        try
        {
            // Before the notifier's services exist: they open its files when first resolved.
            NotifierRestore.Run(settings);
            endpoints = builder.AddImeiEir(settings);
            builder.Services.AddSingleton(_ => locks);
            configure?.Invoke(builder.Services);
            app = builder.Build();
            app.Services.GetRequiredService<DataDirectoryLocks>();
        }
        catch
        {
            locks.Dispose();
            throw;
        }
        // Once, before anything starts, so an operator sees it next to the start-up lines.
        ILogger configurationLog = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<ServerSettings>();
        foreach (MovedKey key in settings.DeprecatedKeys)
            ServerLog.DeprecatedKey(configurationLog, key.Old, key.New);
        app.MapImeiEir(settings, endpoints);
        if (!settings.Mode.RunsNode())
        {
            // No store to catch up: a registry is ready once it is bound.
            NodeReadiness readiness = app.Services.GetRequiredService<NodeReadiness>();
            app.Lifetime.ApplicationStarted.Register(() => readiness.MarkCaughtUp(0));
        }
        return (app, settings, endpoints);
    }
}
