using System.Collections.Concurrent;
using ImeiEir.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Server.Tests.Hosting;

/// <summary>A start that Program.cs reports in one line is not also logged by the host with a stack trace.</summary>
[TestFixture]
public sealed class StartFailureLogTests
{
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";
    private static readonly EventId s_startupFaulted = new(11, "HostedServiceStartupFaulted");

    [Test]
    public void The_hosts_startup_fault_entry_is_dropped_for_a_full_disk_and_kept_for_any_other_IO_failure()
    {
        var captured = new CapturingProvider();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(captured));
        StartFailureLog.Register(services);
        using ServiceProvider provider = services.BuildServiceProvider();
        ILogger host = provider.GetRequiredService<ILoggerFactory>().CreateLogger(HostCategory);

        host.LogError(s_startupFaulted, new IOException("No space left on device : '/data/store/log.0'"), "Hosting failed to start");
        host.LogError(s_startupFaulted, new AggregateException(new IOException("disk full", 28)), "Hosting failed to start");
        host.LogError(s_startupFaulted, new IOException("Input/output error : '/data/store/log.0'"), "Hosting failed to start");

        Assert.That(captured.Entries.Select(e => e.Exception?.Message), Is.EqualTo(new[] { "Input/output error : '/data/store/log.0'" }),
            "Program.cs names the full disk in one line; an unexpected I/O failure keeps the host's report");
    }

    private sealed class CapturingProvider : ILoggerProvider
    {
        public ConcurrentQueue<(string Category, Exception? Exception)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Entries.Enqueue((category, exception));
        }
    }
}
