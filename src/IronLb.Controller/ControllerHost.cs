using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Leases;
using IronLb.Monitoring;
using Microsoft.Extensions.Logging;

namespace IronLb.Controller;

/// <summary>
/// `ironlb controller`: metrics and health endpoints, then the controller — directly, or for every term
/// won in leader election, each term with a fresh controller that replays state from Service status.
/// </summary>
public static class ControllerHost
{
    public static async Task RunAsync(ControllerOptions options, string? kubeconfig, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        using var connection = KubeConnection.Create(kubeconfig);
        using var metrics = new ControllerMetrics();
        using var exporter = new PrometheusExporter(ControllerMetrics.MeterName);
        exporter.Start();
        LoadBalancerController? current = null;
        await using var monitoring = new MonitoringServer();

        // A standby replica is healthy and ready: it has nothing to do until it leads.
        await monitoring.StartAsync(options.MetricsAddress, options.HealthAddress, exporter, () => current?.Ready ?? options.LeaderElect, loggerFactory, cancellationToken).ConfigureAwait(false);

        async Task RunControllerAsync(CancellationToken token)
        {
            using var controller = new LoadBalancerController(connection, options, metrics, TimeProvider.System, loggerFactory);
            current = controller;
            try
            {
                await controller.RunAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
            }
            finally
            {
                current = null;
            }
        }

        try
        {
            if (!options.LeaderElect)
            {
                await RunControllerAsync(cancellationToken).ConfigureAwait(false);
                return;
            }

            var identity = options.Identity ?? options.PodName ?? Environment.MachineName;
            var settings = new LeaseSettings(options.Namespace, options.LeaseName, identity, options.LeaseDuration, options.RenewDeadline, options.RetryPeriod);
            var elector = new LeaderElector(connection, settings, TimeProvider.System, loggerFactory.CreateLogger<LeaderElector>());
            await elector.RunAsync(RunControllerAsync, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }
}
