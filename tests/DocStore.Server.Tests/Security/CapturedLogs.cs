using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace DocStore.Server.Tests.Security;

/// <summary>Every log entry of an in-process server, with its category, event and structured fields.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<Entry> _entries = new();

    public IReadOnlyList<Entry> Entries => [.. _entries];

    public IReadOnlyList<Entry> Audit => [.. _entries.Where(e => e.Category == "DocStore.Audit")];

    /// <summary>Every message and field value, for searching for secrets.</summary>
    public string AllText => string.Join('\n', _entries.Select(e => e.Message + " " + string.Join(' ', e.Fields.Values) + " " + e.Exception));

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

    public void Dispose()
    {
    }

    public sealed record Entry(string Category, EventId EventId, LogLevel Level, string Message, IReadOnlyDictionary<string, string?> Fields, string? Exception)
    {
        public string? this[string field] => Fields.GetValueOrDefault(field);
    }

    private sealed class Logger(string category, CapturedLogs owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var fields = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.ToDictionary(p => p.Key, p => p.Value?.ToString())
                : [];
            owner._entries.Enqueue(new Entry(category, eventId, logLevel, formatter(state, exception), fields, exception?.ToString()));
        }
    }
}
