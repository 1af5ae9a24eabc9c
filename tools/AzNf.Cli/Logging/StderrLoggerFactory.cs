using Microsoft.Extensions.Logging;

namespace AzNf.Cli.Logging;

/// <summary>
/// Log lines on stderr from the level given up: <c>time level category: message</c>, one line per
/// entry (an exception's first line appended). Enough for a worker's operator to see what the
/// Durable Task backend warns about — split brains, aborted sessions, failed checkpoints — without
/// a logging stack in the command-line tool.
/// </summary>
/// <param name="minimum">The lowest level written.</param>
/// <param name="stderr">Where the lines go (<see cref="Console.Error"/>; a test's writer).</param>
internal sealed class StderrLoggerFactory(LogLevel minimum, TextWriter stderr) : ILoggerFactory
{
    private readonly Lock _writing = new();

    public ILogger CreateLogger(string categoryName) => new StderrLogger(categoryName, minimum, this);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("the stderr logger takes no providers");

    public void Dispose()
    {
    }

    private void WriteLine(string line)
    {
        lock (_writing)
        {
            stderr.WriteLine(line);
        }
    }

    private sealed class StderrLogger(string category, LogLevel minimum, StderrLoggerFactory factory) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }
            string message = formatter(state, exception).ReplaceLineEndings(" ");
            string line = exception is null
                ? $"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {message}"
                : $"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {message} ({exception.GetType().Name}: {exception.Message.Split('\n')[0]})";
            factory.WriteLine(line);
        }
    }
}
