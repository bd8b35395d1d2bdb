using Microsoft.Extensions.Logging;

namespace IronLb.Monitoring;

/// <summary>Console logging for both components, with MetalLB's --log-level values.</summary>
public static class Logging
{
    public static readonly IReadOnlyList<string> Levels = ["all", "debug", "info", "warn", "error", "none"];

    public static LogLevel Parse(string level) => level switch
    {
        "all" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "info" => LogLevel.Information,
        "warn" => LogLevel.Warning,
        "error" => LogLevel.Error,
        "none" => LogLevel.None,
        _ => throw new ArgumentException($"invalid log level \"{level}\": use one of {string.Join(", ", Levels)}", nameof(level)),
    };

    public static ILoggerFactory CreateFactory(LogLevel level) => LoggerFactory.Create(builder => builder
        .SetMinimumLevel(level)
        .AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            options.UseUtcTimestamp = true;
        }));
}
