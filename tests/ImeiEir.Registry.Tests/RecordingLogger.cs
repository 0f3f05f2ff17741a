using Microsoft.Extensions.Logging;

namespace ImeiEir.Registry.Tests;

/// <summary>A logger that keeps every line (event id and message), for tests of what was logged.</summary>
internal sealed class RecordingLogger : ILogger
{
    private readonly List<(EventId Id, string Message)> _lines = [];

    public IReadOnlyList<(EventId Id, string Message)> Lines
    {
        get { lock (_lines) return _lines.ToArray(); }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lines) _lines.Add((eventId, formatter(state, exception)));
    }
}
