using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace IronLb.Testing.Rbac;

/// <summary>
/// A logger factory that keeps every warning or error a component logs, with its exception's message, one line each:
/// what a denial row searches for the missing permission's name.
/// </summary>
public sealed class WarningLog : ILoggerFactory, ILogger
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Warnings => [.. _lines];

    /// <summary>Waits (generously) until a warning carries the denial of <paramref name="verb"/> on <paramref name="resource"/>.</summary>
    public Task NamesAsync(string verb, string resource)
    {
        var needle = RuleRemoval.Needle(verb, resource);
        return Eventually.UntilAsync(() => Task.FromResult(Warnings), w => w.Any(l => l.Contains(needle, StringComparison.Ordinal)), $"a warning naming '{needle}'");
    }

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            _lines.Enqueue($"{formatter(state, exception)} {exception?.Message}");
        }
    }

    public void Dispose()
    {
    }
}
