using IronLb.Kubernetes.Hosting;
using IronLb.Networking;
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
}
