using System.Collections.Concurrent;

namespace Switchyard.Tests.Infrastructure;

/// <summary>One captured log line with the fields of every logging scope active when it was written.</summary>
public sealed record LogEntry(LogLevel Level, string Category, EventId EventId, string Message, IReadOnlyDictionary<string, object?> Scopes)
{
    public string? Scope(string name) => Scopes.TryGetValue(name, out var v) ? v?.ToString() : null;
}

/// <summary>
/// Captures every log line the gateway writes (formatted message and exception), for leak checks, and the same lines
/// with their scope fields in <see cref="Entries"/> (scopes come from the logger factory: <see cref="ISupportExternalScope"/>).
/// </summary>
public sealed class TestLogSink : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ConcurrentQueue<string> Lines { get; } = new();

    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    public string All => string.Join("\n", Lines);

    /// <summary>
    /// Every line with everything that could reach a log sink: category, event name, message, the exception's full text
    /// and every field (and the text form) of every scope active when it was written. For secret-leak checks.
    /// </summary>
    public ConcurrentQueue<string> FullLines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(TestLogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => sink._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            sink.Lines.Enqueue($"{logLevel} {category}: {message} {exception}");
            var scopes = new Dictionary<string, object?>(StringComparer.Ordinal);
            var full = new System.Text.StringBuilder($"{logLevel} {category} [{eventId.Id} {eventId.Name}]: {message} {exception}");
            if (state is IEnumerable<KeyValuePair<string, object?>> stateFields)
            {
                foreach (var (k, v) in stateFields)
                {
                    full.Append($" | {k}={v}");
                }
            }

            sink._scopes.ForEachScope(static (scope, fields) =>
            {
                fields.Full.Append(" | scope: ").Append(scope);
                if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                {
                    foreach (var (k, v) in pairs)
                    {
                        fields.Scopes[k] = v;
                        fields.Full.Append($" | {k}={v}");
                    }
                }
            }, (Scopes: scopes, Full: full));
            sink.Entries.Enqueue(new LogEntry(logLevel, category, eventId, message, scopes));
            sink.FullLines.Enqueue(full.ToString());
        }
    }
}
