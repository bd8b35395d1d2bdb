using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace IronLb.Monitoring;

/// <summary>
/// The plain-HTTP endpoints both components serve: /metrics on the metrics address and /healthz and
/// /readyz on the health address (MetalLB's defaults :9120 and :17472). An empty address disables one.
/// </summary>
public sealed class MonitoringServer : IAsyncDisposable
{
    private readonly List<WebApplication> _apps = [];

    /// <summary>Starts listening; returns the bound addresses (useful with port 0).</summary>
    /// <param name="metricsAddress">Where /metrics listens; empty for nowhere.</param>
    /// <param name="healthAddress">Where /healthz and /readyz listen; empty for nowhere.</param>
    /// <param name="exporter">What /metrics renders.</param>
    /// <param name="ready">/readyz: 200 when true, 503 otherwise.</param>
    /// <param name="loggerFactory">Logs.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <param name="alive">/healthz: 200 while it returns null, 503 with its text otherwise; null = always 200.</param>
    public async Task<IReadOnlyList<Uri>> StartAsync(string metricsAddress, string healthAddress, PrometheusExporter exporter, Func<bool> ready, ILoggerFactory loggerFactory, CancellationToken cancellationToken, Func<string?>? alive = null)
    {
        ArgumentNullException.ThrowIfNull(exporter);
        var bound = new List<Uri>();
        if (!string.IsNullOrEmpty(metricsAddress))
        {
            bound.Add(await StartOneAsync(metricsAddress, app =>
                app.MapGet("/metrics", Text(() => (200, exporter.Render()), "text/plain; version=0.0.4")), loggerFactory, cancellationToken).ConfigureAwait(false));
        }

        if (!string.IsNullOrEmpty(healthAddress))
        {
            bound.Add(await StartOneAsync(healthAddress, app =>
            {
                app.MapGet("/healthz", Text(() => alive?.Invoke() is { } failure ? (503, failure) : (200, "ok")));
                app.MapGet("/readyz", Text(() => ready() ? (200, "ok") : (503, "not ready")));
            }, loggerFactory, cancellationToken).ConfigureAwait(false));
        }

        return bound;
    }

    // RequestDelegate handlers keep the endpoints free of reflection (AOT-clean).
    private static RequestDelegate Text(Func<(int Status, string Body)> respond, string contentType = "text/plain")
    {
        return context =>
        {
            var (status, body) = respond();
            context.Response.StatusCode = status;
            context.Response.ContentType = contentType;
            return context.Response.WriteAsync(body, context.RequestAborted);
        };
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

    private async Task<Uri> StartOneAsync(string address, Action<WebApplication> map, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var endpoint = ParseAddress(address);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(options =>
        {
            if (endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                options.ListenAnyIP(endpoint.Port);
            }
            else
            {
                options.Listen(endpoint);
            }
        });
        var app = builder.Build();
        map(app);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _apps.Add(app);
        var url = app.Urls.FirstOrDefault() ?? $"http://{address}";
        loggerFactory.CreateLogger<MonitoringServer>().LogListening(url);
        return new Uri(url.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.StopAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }
}

internal static partial class MonitoringServerLog
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "serving on {url}")]
    public static partial void LogListening(this ILogger logger, string url);
}
