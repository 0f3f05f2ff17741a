using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Sync.Tests;

/// <summary>Keeps every log line so tests can assert on them; echoes them to the test's output.</summary>
internal sealed class TestLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(LogLevel Level, int EventId, string Message)> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        string message = formatter(state, exception);
        Lines.Enqueue((logLevel, eventId.Id, message));
        TestContext.Progress.WriteLine($"    [{logLevel}] {message}{(exception is null ? "" : " " + exception.Message)}");
    }

    public int Count(int eventId) => Lines.Count(l => l.EventId == eventId);
}
