using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace AzNf.DurableRuntime.Tests;

/// <summary>
/// The last log lines of every category (at <see cref="MinimumLevel"/> and above), kept in a
/// ring, for a test to print when it fails: a rare hang of the durable backend is diagnosed from
/// what its loops said last (discarded work items, duplicates, out-of-order messages).
/// </summary>
public sealed class RecentLogs(int capacity = 4000, LogLevel minimumLevel = LogLevel.Information) : ILoggerProvider, ILoggerFactory
{
    private readonly ConcurrentQueue<string> _lines = new();

    public LogLevel MinimumLevel { get; } = minimumLevel;

    /// <summary>The lines kept, oldest first.</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private void Add(string line)
    {
        _lines.Enqueue(line);
        while (_lines.Count > capacity && _lines.TryDequeue(out _))
        {
        }
    }

    private sealed class Logger(RecentLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= logs.MinimumLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                logs.Add($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category} {eventId.Name}: {formatter(state, exception)}{(exception is null ? "" : " | " + exception.GetType().Name + ": " + exception.Message)}");
            }
        }
    }
}
