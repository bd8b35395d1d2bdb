using Microsoft.Extensions.Logging;

namespace IronLb.Networking.TestHost;

/// <summary>Minimal logger so the host needs no logging packages; stderr keeps stdout for protocol lines.</summary>
internal sealed class StderrLogger<T> : ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        Console.Error.WriteLine($"{logLevel}: {formatter(state, exception)}{(exception is null ? string.Empty : " " + exception.Message)}");
    }
}
