using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Status;
using IronLb.Monitoring;
using IronLb.Networking;
using IronLb.Speaker.Cluster;
using IronLb.Speaker.Files;
using Microsoft.Extensions.Logging;

namespace IronLb.Speaker;

/// <summary>What `ironlb speaker --manifests` runs besides the speaker itself: the announcer and the monitoring endpoints.</summary>
public sealed record SpeakerHostOptions
{
    public required ManifestSpeakerOptions Manifests { get; init; }

    public Layer2Options Layer2 { get; init; } = new();

    public string MetricsAddress { get; init; } = ":7472";

    public string HealthAddress { get; init; } = "";
}

/// <summary>What `ironlb speaker --node NAME` runs besides the speaker: the API connection, the announcer and the monitoring endpoints.</summary>
public sealed record ClusterHostOptions
{
    public required ClusterSpeakerOptions Speaker { get; init; }

    /// <summary>A kubeconfig path; in-cluster configuration when null.</summary>
    public string? Kubeconfig { get; init; }

    public Layer2Options Layer2 { get; init; } = new();

    public string MetricsAddress { get; init; } = ":7472";

    public string HealthAddress { get; init; } = "";
}

/// <summary>
/// `ironlb speaker --manifests`: the Layer 2 announcer fed by the file-driven speaker, with metrics and
/// health endpoints. Ready once the manifests were usable once.
/// </summary>
public static class SpeakerHost
{
    // Layer2Announcer's meter (Layer2Metrics.MeterName is internal to Networking).
    private const string NetworkingMeter = "IronLb.Networking";

    public static async Task RunFromManifestsAsync(SpeakerHostOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var time = TimeProvider.System;
        using var exporter = new PrometheusExporter(NetworkingMeter, SpeakerMetrics.MeterName);
        exporter.Start();
        await using var announcer = new Layer2Announcer(options.Layer2, loggerFactory.CreateLogger<Layer2Announcer>(), time);
        exporter.BeforeRender(announcer.FlushKernelCounts);
        using var speaker = new ManifestSpeaker(options.Manifests, announcer.SetTable, time, loggerFactory.CreateLogger<ManifestSpeaker>());
        using var metrics = new SpeakerMetrics(options.Manifests.Node, () => speaker.Current);
        await using var monitoring = new MonitoringServer();
        await monitoring.StartAsync(options.MetricsAddress, options.HealthAddress, exporter, () => speaker.Ready, loggerFactory, cancellationToken).ConfigureAwait(false);
        await announcer.StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await speaker.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Stop answering before the process goes, so nothing half-torn-down replies.
            await announcer.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// `ironlb speaker --node NAME`: the cluster-driven speaker with the announcer, membership and
    /// endpoints. Ready once every informer has synced and the first evaluation ran.
    /// </summary>
    public static async Task RunInClusterAsync(ClusterHostOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var time = TimeProvider.System;
        using var connection = KubeConnection.Create(options.Kubeconfig);
        using var exporter = new PrometheusExporter(NetworkingMeter, SpeakerMetrics.MeterName);
        exporter.Start();
        await using var announcer = new Layer2Announcer(options.Layer2, loggerFactory.CreateLogger<Layer2Announcer>(), time);
        exporter.BeforeRender(announcer.FlushKernelCounts);
        using var speaker = new ClusterSpeaker(connection, options.Speaker, announcer.SetTable, () => LocalInterfaces(announcer), time, loggerFactory)
        {
            Replies = () => ReplyPaths.Format(announcer.Responders, announcer.KernelResponders),
        };
        using var metrics = new SpeakerMetrics(options.Speaker.Node, () => speaker.Current, speaker.Writes);
        await using var monitoring = new MonitoringServer();
        await monitoring.StartAsync(options.MetricsAddress, options.HealthAddress, exporter, () => speaker.Ready, loggerFactory, cancellationToken).ConfigureAwait(false);
        await announcer.StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await speaker.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutdown.
        }
        finally
        {
            await announcer.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Interfaces with a running responder ("eno2/arp" → "eno2"): where an advertisement's interfaces can actually be announced.</summary>
    private static HashSet<string> LocalInterfaces(Layer2Announcer announcer) =>
        [.. announcer.Responders.Select(r => r[..r.IndexOf('/', StringComparison.Ordinal)])];
}
