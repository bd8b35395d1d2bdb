using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Informers;
using IronLb.Kubernetes.Leases;
using IronLb.Monitoring;
using Microsoft.Extensions.Logging;

namespace IronLb.Controller;

/// <summary>
/// `ironlb controller`: metrics and health endpoints, then the controller — directly, or for every term
/// won in leader election, each term with a fresh controller that replays state from Service status and
/// writes only through the term's fence. Nothing the API server does ends the host: a controller that
/// stops for any reason but shutdown or the end of its term is started again after a back-off.
/// </summary>
public static partial class ControllerHost
{
    private static readonly TimeSpan MaxRestartDelay = TimeSpan.FromSeconds(30);

    public static async Task RunAsync(ControllerOptions options, string? kubeconfig, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        if (options.Validate() is { Count: > 0 } errors)
        {
            throw new InvalidOperationException("unusable controller options: " + string.Join("; ", errors));
        }

        var identity = options.Identity ?? options.PodName ?? Environment.MachineName;
        var connectionOptions = new KubeConnectionOptions
        {
            RequestTimeout = options.RequestTimeout,
            WatchIdleTimeout = options.WatchIdleTimeout,
            UserAgent = $"ironlb-controller/{identity}",
        };
        using var connection = KubeConnection.Create(kubeconfig, connectionOptions);
        using var metrics = new ControllerMetrics();
        using var exporter = new PrometheusExporter(ControllerMetrics.MeterName, InformerMetrics.MeterName);
        exporter.Start();
        var logger = loggerFactory.CreateLogger(typeof(ControllerHost).FullName!);
        LoadBalancerController? current = null;
        await using var monitoring = new MonitoringServer();

        // A standby replica is healthy and ready: it has nothing to do until it leads.
        await monitoring.StartAsync(options.MetricsAddress, options.HealthAddress, exporter, () => current?.Ready ?? options.LeaderElect, loggerFactory, cancellationToken).ConfigureAwait(false);

        async Task RunControllerAsync(KubeConnection writer, CancellationToken token)
        {
            var restarts = 0;
            while (!token.IsCancellationRequested)
            {
                using (var controller = new LoadBalancerController(writer, options, metrics, TimeProvider.System, loggerFactory))
                {
                    current = controller;
                    try
                    {
                        await controller.RunAsync(token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (token.IsCancellationRequested)
                    {
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        LogControllerFailed(logger, e);
                    }
                    finally
                    {
                        current = null;
                    }
                }

                if (token.IsCancellationRequested)
                {
                    return;
                }

                restarts++;
                var delay = TimeSpan.FromMilliseconds(Math.Min(MaxRestartDelay.TotalMilliseconds, 500 * Math.Pow(2, Math.Min(restarts, 10))));
                try
                {
                    await Task.Delay(delay, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        try
        {
            if (!options.LeaderElect)
            {
                await RunControllerAsync(connection, cancellationToken).ConfigureAwait(false);
                return;
            }

            var elector = new LeaderElector(connection, options.Lease(identity), TimeProvider.System, loggerFactory.CreateLogger<LeaderElector>());

            // Every write of a term passes its fence: checked just before sending, cancelled when the term ends.
            await elector.RunAsync(term => RunControllerAsync(connection.Fenced(term), term.Token), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }

    [LoggerMessage(EventId = 307, Level = LogLevel.Error, Message = "the controller stopped unexpectedly; starting it again")]
    private static partial void LogControllerFailed(ILogger logger, Exception exception);
}
