using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImeiEir.Server.Hosting;

/// <summary>
/// Keeps the host's own report of a failed start out of the log when Program.cs reports that failure in one line
/// itself. The generic host logs whatever a hosted service's StartAsync throws as "Hosting failed to start" with its
/// stack trace (its category's event 11), before the exception reaches Program.cs. Two such failures are ours to
/// say: a stop asked for during start-up (SIGTERM while the store or the registry opens: their StartAsync throws
/// the <see cref="OperationCanceledException"/> of the cancelled start, dropped only while the host is stopping), and
/// a start on a full disk (an ENOSPC <see cref="IOException"/>, which Program.cs names with the file in one line), and
/// a refused restore (<see cref="Registry.RestoreRefusedException"/>, whose message is that line).
/// Any other exception, and every other entry, is logged as before. The host's logger cannot be filtered by
/// exception through logging rules (they see category and level only), hence a factory that hands the host a
/// filtering logger.
/// </summary>
internal sealed class StartFailureLog : ILoggerFactory
{
    // Microsoft.Extensions.Hosting's Host and its LoggerEventIds.HostedServiceStartupFaulted.
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";
    private const int HostedServiceStartupFaulted = 11;

    private readonly ILoggerFactory _inner;
    private readonly Func<bool> _stopping;

    private StartFailureLog(ILoggerFactory inner, Func<bool> stopping)
    {
        _inner = inner;
        _stopping = stopping;
    }

    /// <summary>Wraps the container's logger factory; the rest of logging (providers, filter rules) is unchanged.</summary>
    public static void Register(IServiceCollection services)
    {
        services.RemoveAll<ILoggerFactory>();
        services.AddSingleton<ILoggerFactory>(sp => new StartFailureLog(
            new LoggerFactory(
                sp.GetServices<ILoggerProvider>(),
                sp.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>(),
                sp.GetService<IOptions<LoggerFactoryOptions>>(),
                sp.GetService<IExternalScopeProvider>()),
            // Resolved when the entry comes: the lifetime itself logs through this factory, so not at construction.
            () => sp.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested));
    }

    public ILogger CreateLogger(string categoryName)
    {
        ILogger logger = _inner.CreateLogger(categoryName);
        return categoryName == HostCategory ? new HostLogger(logger, _stopping) : logger;
    }

    public void AddProvider(ILoggerProvider provider) => _inner.AddProvider(provider);

    public void Dispose() => _inner.Dispose();

    private static bool IsCancellation(Exception? e) => e switch
    {
        OperationCanceledException => true,
        AggregateException a => a.InnerExceptions.Count > 0 && a.InnerExceptions.All(IsCancellation),
        _ => false,
    };

    private static bool IsDiskFull(Exception? e) => e switch
    {
        AggregateException a => a.InnerExceptions.Count > 0 && a.InnerExceptions.All(IsDiskFull),
        _ => DiskFull.Is(e),
    };

    private static bool IsRestoreRefused(Exception? e) => e switch
    {
        AggregateException a => a.InnerExceptions.Count > 0 && a.InnerExceptions.All(IsRestoreRefused),
        _ => e is Registry.RestoreRefusedException,
    };

    private sealed class HostLogger(ILogger inner, Func<bool> stopping) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id == HostedServiceStartupFaulted && (IsDiskFull(exception) || IsRestoreRefused(exception) || IsCancellation(exception) && stopping()))
                return;
            inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
