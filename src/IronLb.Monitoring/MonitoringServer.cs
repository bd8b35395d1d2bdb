using System.Globalization;
using System.Net;
using IronLb.Monitoring.Http;
using Microsoft.Extensions.Logging;

namespace IronLb.Monitoring;

/// <summary>
/// The plain-HTTP endpoints both components serve: /metrics on the metrics address and /healthz and
/// /readyz on the health address (MetalLB's defaults :9120 and :17472). An empty address disables one.
/// Served by a small HTTP/1.1 listener of our own (Http/), not ASP.NET Core: its clients are Prometheus and the
/// kubelet, one GET per connection, and the framework would cost every speaker megabytes of code and threads.
/// </summary>
public sealed class MonitoringServer : IAsyncDisposable
{
    private readonly List<HttpEndpointListener> _listeners = [];
    private readonly HttpServerLimits _limits;

    public MonitoringServer()
        : this(HttpServerLimits.Default)
    {
    }

    /// <summary>With other limits and clock (tests: a short head timeout on fake time).</summary>
    internal MonitoringServer(HttpServerLimits limits)
    {
        _limits = limits;
    }

    /// <summary>Connections being served now, over every listener.</summary>
    internal int OpenConnections => _listeners.Sum(l => l.OpenConnections);

    /// <summary>Starts listening; returns the bound addresses (useful with port 0).</summary>
    /// <param name="metricsAddress">Where /metrics listens; empty for nowhere.</param>
    /// <param name="healthAddress">Where /healthz and /readyz listen; empty for nowhere.</param>
    /// <param name="exporter">What /metrics renders.</param>
    /// <param name="ready">/readyz: 200 when true, 503 otherwise.</param>
    /// <param name="loggerFactory">Logs.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <param name="alive">/healthz: 200 while it returns null, 503 with its text otherwise; null = always 200.</param>
    public Task<IReadOnlyList<Uri>> StartAsync(string metricsAddress, string healthAddress, PrometheusExporter exporter, Func<bool> ready, ILoggerFactory loggerFactory, CancellationToken cancellationToken, Func<string?>? alive = null)
    {
        ArgumentNullException.ThrowIfNull(exporter);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<IReadOnlyList<Uri>>(cancellationToken);
        }

        // Binding is synchronous; a failure (a port in use, a bad address) still reaches the caller through the task.
        try
        {
            var logger = loggerFactory.CreateLogger<MonitoringServer>();
            var bound = new List<Uri>();
            if (!string.IsNullOrEmpty(metricsAddress))
            {
                bound.Add(StartOne(metricsAddress, [new HttpRoute("/metrics", "text/plain; version=0.0.4", () => (200, exporter.Render()))], logger));
            }

            if (!string.IsNullOrEmpty(healthAddress))
            {
                bound.Add(StartOne(healthAddress,
                [
                    new HttpRoute("/healthz", HttpReply.PlainText, () => alive?.Invoke() is { } failure ? (503, failure) : (200, "ok")),
                    new HttpRoute("/readyz", HttpReply.PlainText, () => ready() ? (200, "ok") : (503, "not ready")),
                ], logger));
            }

            return Task.FromResult<IReadOnlyList<Uri>>(bound);
        }
        catch (Exception e) when (e is IOException or FormatException)
        {
            return Task.FromException<IReadOnlyList<Uri>>(e);
        }
    }

    /// <summary>Parses ":9120", "0.0.0.0:9120", "127.0.0.1:0" or "[::1]:9120".</summary>
    public static IPEndPoint ParseAddress(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var colon = address.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            throw new FormatException($"invalid listen address \"{address}\": expected [host]:port");
        }

        var host = address[..colon].Trim('[', ']');
        var ip = host.Length == 0 ? IPAddress.IPv6Any : IPAddress.TryParse(host, out var parsed) ? parsed
            : throw new FormatException($"invalid listen address \"{address}\": host must be an IP address");
        return new IPEndPoint(ip, port);
    }

    private Uri StartOne(string address, HttpRoute[] routes, ILogger logger)
    {
        var listener = HttpEndpointListener.Start(ParseAddress(address), new HttpRoutes(routes), _limits, logger);
        _listeners.Add(listener);
        logger.LogListening(listener.Url);

        // The any-addresses are reachable on loopback: what a caller (a test, the lab) can connect to.
        return new Uri(listener.Url.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var listener in _listeners)
        {
            await listener.DisposeAsync().ConfigureAwait(false);
        }

        _listeners.Clear();
    }
}

internal static partial class MonitoringServerLog
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "serving on {url}")]
    public static partial void LogListening(this ILogger logger, string url);
}
