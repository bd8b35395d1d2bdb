using System.Net;
using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Status;
using IronLb.Monitoring;
using IronLb.Networking;
using IronLb.Networking.Egress;
using IronLb.Speaker.Bgp;
using IronLb.Speaker.Cluster;
using IronLb.Networking.Conflicts;
using IronLb.Speaker.Conflicts;
using IronLb.Speaker.Egress;
using IronLb.Speaker.Files;
using Microsoft.Extensions.Logging;

namespace IronLb.Speaker;

/// <summary>What `ironlb speaker --manifests` runs besides the speaker itself: the announcer and the monitoring endpoints.</summary>
public sealed record SpeakerHostOptions
{
    public required ManifestSpeakerOptions Manifests { get; init; }

    public Layer2Options Layer2 { get; init; } = new();

    public string MetricsAddress { get; init; } = "127.0.0.1:7472";

    public string HealthAddress { get; init; } = "";
}

/// <summary>What `ironlb speaker --node NAME` runs besides the speaker: the API connection, the announcer and the monitoring endpoints.</summary>
public sealed record ClusterHostOptions
{
    public required ClusterSpeakerOptions Speaker { get; init; }

    /// <summary>A kubeconfig path; in-cluster configuration when null.</summary>
    public string? Kubeconfig { get; init; }

    public Layer2Options Layer2 { get; init; } = new();

    /// <summary>Where egress lives in the kernel: routing tables, rule priority, firewall-mark bits.</summary>
    public EgressKernelOptions EgressKernel { get; init; } = EgressKernelOptions.Default;

    /// <summary>"[host]:port" as given to --metrics-address ("" disables); null: port 7472 on <see cref="MonitoringHost"/>.</summary>
    public string? MetricsAddress { get; init; }

    /// <summary>"[host]:port" as given to --health-address ("" disables); null: port 17473 on <see cref="MonitoringHost"/>.</summary>
    public string? HealthAddress { get; init; }

    /// <summary>
    /// Where the endpoints listen when their flag was not given ($METALLB_HOST, else --membership-address);
    /// null: the node's address, the one membership advertises, as soon as the speaker has found it.
    /// </summary>
    public IPAddress? MonitoringHost { get; init; }
}

/// <summary>
/// `ironlb speaker --manifests`: the Layer 2 announcer fed by the file-driven speaker, with metrics and
/// health endpoints. Ready once the manifests were usable once.
/// </summary>
public static class SpeakerHost
{
    // Layer2Announcer's meter (Layer2Metrics.MeterName is internal to Networking).
    private const string NetworkingMeter = "IronLb.Networking";

    /// <summary>MetalLB's speaker metrics port.</summary>
    public const int MetricsPort = 7472;

    /// <summary>The speaker's health port on the host network (the controller has 17472).</summary>
    public const int HealthPort = 17473;

    public static async Task RunFromManifestsAsync(SpeakerHostOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var time = TimeProvider.System;
        using var exporter = new PrometheusExporter(NetworkingMeter, SpeakerMetrics.MeterName);
        exporter.Start();
        await using var announcer = new Layer2Announcer(options.Layer2, loggerFactory.CreateLogger<Layer2Announcer>(), time);
        exporter.BeforeRender(announcer.FlushKernelCounts);
        // Disposed after the speaker: its Cease goes out once nothing feeds it any more.
        await using var bgp = new BgpSessions(options.Manifests.Node, time, loggerFactory);
        var passwords = new ManifestPeerPasswords(IronLb.Core.Configuration.ClusterResources.DefaultConfigNamespace, loggerFactory.CreateLogger<ManifestPeerPasswords>());
        using var speaker = new ManifestSpeaker(options.Manifests, announcer.SetTable, time, loggerFactory.CreateLogger<ManifestSpeaker>())
        {
            PublishBgp = (plan, secrets) => bgp.Apply(plan, nodeIpv4: null, passwords.For(secrets)),
        };
        using var metrics = new SpeakerMetrics(options.Manifests.Node, () => speaker.Current, evaluationFailures: () => speaker.EvaluationFailures, bgpSessions: () => bgp.Snapshots);

        // No membership loop here: a timer of its own proves the process alive. Frozen or starved, it stops
        // moving the answer deadline, and the kernel's replies stop within the window.
        var window = options.Layer2.LivenessWindow;
        var liveness = new Liveness(time, window, "answer-deadline timer");
        announcer.Deadline.Revoke();
        var keepAlive = time.CreateTimer(_ => KeepAlive(announcer, liveness, bound: null), null, TimeSpan.Zero, RefreshPeriod(window));
        await using var monitoring = new MonitoringServer();
        await monitoring.StartAsync(options.MetricsAddress, options.HealthAddress, exporter, () => speaker.Ready, loggerFactory, cancellationToken, liveness.Failure).ConfigureAwait(false);
        await announcer.StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await speaker.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Stop answering before the process goes, so nothing half-torn-down replies. The timer first (its
            // DisposeAsync waits for a callback in flight), so no refresh follows the revocation.
            await keepAlive.DisposeAsync().ConfigureAwait(false);
            announcer.Deadline.Revoke();
            await announcer.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>How often the manifest speaker's timer refreshes: twelve times per window (25 ms for the default 300 ms).</summary>
    internal static TimeSpan RefreshPeriod(TimeSpan window) => TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, window.Ticks / 12));

    /// <summary>
    /// One sign of life: /healthz says alive, and the announcer may answer for another window, or less when the
    /// membership bounds it (the ring's fence and round lease); a bound of zero (fenced) stops every answer now.
    /// </summary>
    private static void KeepAlive(Layer2Announcer announcer, Liveness liveness, TimeSpan? bound)
    {
        if (bound is { } limit && limit <= TimeSpan.Zero)
        {
            announcer.Deadline.Revoke();
        }
        else
        {
            announcer.Deadline.Refresh(bound is { } shorter && shorter < liveness.Window ? shorter : liveness.Window);
        }

        liveness.Beat();
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
        // Nothing is answered until the membership loop's first tick, and nothing after its last one plus the
        // window: a frozen or hung speaker goes quiet in the kernel before its peers can agree it is gone.
        var liveness = new Liveness(time, options.Layer2.LivenessWindow, "membership loop");
        announcer.Deadline.Revoke();
        using var egress = options.Speaker.Egress ? new EgressKernel(new EgressProgrammer(options.EgressKernel)) : null;
        // Disposed after the speaker: each session's Cease goes out once nothing feeds it any more.
        await using var bgp = new BgpSessions(options.Speaker.Node, time, loggerFactory);
        using var speaker = new ClusterSpeaker(connection, options.Speaker, announcer.SetTable, () => LocalInterfaces(announcer), time, loggerFactory)
        {
            BgpSessions = bgp,
            Replies = () => ReplyPaths.Format(announcer.Responders, announcer.KernelResponders),
            MembershipTicked = bound => KeepAlive(announcer, liveness, bound),
            MembershipLeaving = announcer.Deadline.Revoke,
            ProgramEgress = egress is null ? null : egress.Apply,
            ClearEgress = egress is null ? null : egress.Clear,
            ProbeLan = LanConflictPort.Prober(new LanProber(time, loggerFactory.CreateLogger<LanProber>()), options.Speaker.Conflicts),
            DefendAddress = LanConflictPort.Defender(announcer),
            WatchHeldBack = announcer.Watch,
            LocalMacs = () => announcer.InterfaceMacs,
        };
        announcer.ClaimObserved = claim => speaker.ObserveClaim(LanConflictPort.Observed(claim));
        using var metrics = new SpeakerMetrics(options.Speaker.Node, () => speaker.Current, speaker.Writes, speaker.MembershipCounters, evaluationFailures: () => speaker.EvaluationFailures,
            egress: () => speaker.Egress, egressCounters: egress is null ? null : egress.Totals, conflicts: () => speaker.ConflictGauges, bgpSessions: () => bgp.Snapshots);
        await using var monitoring = new MonitoringServer();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        // With a known host the endpoints start first, as before, so a taken port fails the start at once. Otherwise
        // they wait for the node's address (after the informers' sync), and a failure to bind then stops the speaker.
        var serving = ServeAsync();
        if (options.MonitoringHost is not null)
        {
            await serving.ConfigureAwait(false);
        }

        await announcer.StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await speaker.RunAsync(stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Shutdown, or the endpoints failed (rethrown below).
        }
        finally
        {
            await announcer.StopAsync(CancellationToken.None).ConfigureAwait(false);

            // Ends a wait for an address the speaker will now never find.
            await stop.CancelAsync().ConfigureAwait(false);
        }

        await serving.ConfigureAwait(false);

        async Task ServeAsync()
        {
            try
            {
                var host = options.MonitoringHost ?? await speaker.MembershipAddress.WaitAsync(stop.Token).ConfigureAwait(false);
                await monitoring.StartAsync(
                    ListenAddress.Resolve(options.MetricsAddress, host, MetricsPort),
                    ListenAddress.Resolve(options.HealthAddress, host, HealthPort),
                    exporter,
                    () => speaker.Ready,
                    loggerFactory,
                    stop.Token,
                    liveness.Failure).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch
            {
                await stop.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>Interfaces with a running responder ("eno2/arp" → "eno2"): where an advertisement's interfaces can actually be announced.</summary>
    private static HashSet<string> LocalInterfaces(Layer2Announcer announcer) =>
        [.. announcer.Responders.Select(r => r[..r.IndexOf('/', StringComparison.Ordinal)])];
}
