using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Node.Tests;

/// <summary>A logger that keeps every line written (level, event id, formatted text), for tests that read the log.</summary>
internal sealed class CapturedLog : ILogger
{
    private readonly ConcurrentQueue<(LogLevel Level, EventId Id, string Text)> _lines = new();

    public IReadOnlyList<(LogLevel Level, EventId Id, string Text)> Lines => [.. _lines];

    public IReadOnlyList<string> Texts => [.. _lines.Select(l => l.Text)];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _lines.Enqueue((logLevel, eventId, formatter(state, exception)));
}
