using System.Collections.Immutable;
using IronLb.Core.Configuration;
using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Crds;
using IronLb.Kubernetes.Informers;
using IronLb.Kubernetes.Mapping;
using IronLb.Kubernetes.Status;
using IronLb.Speaker.Announcing;
using IronLb.Speaker.Bgp;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace IronLb.Speaker.Cluster;

/// <summary>
/// BGP mode on the cluster: BGPPeers, BGPAdvertisements, Communities and MetalLB's Secrets read through the one
/// ingest, this node's sessions fed from every evaluation, its ServiceBGPStatus objects, and its sessions' state on
/// its ConfigurationState. Read only where the API server serves the BGP kinds and this speaker may list them;
/// otherwise the speaker runs Layer 2 alone, as before, and says once why.
/// </summary>
internal sealed partial class ClusterSpeaker
{
    private Informer<BgpPeerObject>? _bgpPeers;
    private Informer<BgpAdvertisementObject>? _bgpAdvertisements;
    private Informer<CommunityObject>? _communities;
    private Informer<V1Secret>? _secrets;
    private BgpStatusReconciler? _bgpStatuses;
    private Dictionary<string, string> _passwordErrors = new(StringComparer.Ordinal);

    private static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(1);

    /// <summary>This node's BGP sessions; null leaves BGP out (tests of Layer 2 only).</summary>
    public BgpSessions? BgpSessions { get; init; }

    /// <summary>Adds the BGP informers and the status reconciler when the cluster has BGP kinds this speaker can read.</summary>
    private async Task AddBgpAsync(List<Func<CancellationToken, Task>> runs, List<Func<CancellationToken, Task>> syncs, CancellationToken cancellationToken)
    {
        if (BgpSessions is null || !await ReadsBgpAsync(cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var ns = _options.Namespace;
        var logger = _loggerFactory.CreateLogger("IronLb.Informer");
        var watch = _options.WatchTimeoutSeconds;
        _bgpPeers = new Informer<BgpPeerObject>(_connection, ResourceTypes.BgpPeers(ns), _time, logger) { WatchTimeoutSeconds = watch };
        _bgpAdvertisements = new Informer<BgpAdvertisementObject>(_connection, ResourceTypes.BgpAdvertisements(ns), _time, logger) { WatchTimeoutSeconds = watch };
        _communities = new Informer<CommunityObject>(_connection, ResourceTypes.Communities(ns), _time, logger) { WatchTimeoutSeconds = watch };
        _secrets = new Informer<V1Secret>(_connection, ResourceTypes.Secrets(ns), _time, logger) { WatchTimeoutSeconds = watch };
        _bgpPeers.Changed += _ => ConfigChanged("bgppeer");
        _bgpAdvertisements.Changed += _ => ConfigChanged("bgpadvertisement");
        _communities.Changed += _ => ConfigChanged("community");
        _secrets.Changed += _ => Poke("secret");
        runs.AddRange([_bgpPeers.RunAsync, _bgpAdvertisements.RunAsync, _communities.RunAsync, _secrets.RunAsync, ReportSessionsAsync]);
        syncs.AddRange([_bgpPeers.WaitForSyncAsync, _bgpAdvertisements.WaitForSyncAsync, _communities.WaitForSyncAsync, _secrets.WaitForSyncAsync]);
        _bgpStatuses = new BgpStatusReconciler(_connection, ns, _options.Node, watch, Writes, _time, _loggerFactory.CreateLogger<BgpStatusReconciler>());
    }

    /// <summary>
    /// The BGP kinds are served and listable. A speaker whose RBAC predates BGP must not stall its informers' sync
    /// (and with it Layer 2) waiting for objects it may never read.
    /// </summary>
    private async Task<bool> ReadsBgpAsync(CancellationToken cancellationToken)
    {
        try
        {
            var v1beta2 = await _discovery.ResourcesAsync(ResourceTypes.BgpPeers(_options.Namespace).Resource.GroupVersion, cancellationToken).ConfigureAwait(false);
            var v1beta1 = await _discovery.ResourcesAsync(ResourceTypes.BgpAdvertisements(_options.Namespace).Resource.GroupVersion, cancellationToken).ConfigureAwait(false);
            if (!v1beta2.ContainsKey("BGPPeer") || !v1beta1.ContainsKey("BGPAdvertisement") || !v1beta1.ContainsKey("Community") || !v1beta1.ContainsKey("ServiceBGPStatus"))
            {
                LogBgpOff(_logger, "the API server does not serve MetalLB's BGP kinds (BGPPeer v1beta2, BGPAdvertisement, Community, ServiceBGPStatus)");
                return false;
            }

            await new ResourceClient<BgpPeerObject>(_connection, ResourceTypes.BgpPeers(_options.Namespace)).ListAsync(_options.Namespace, null, cancellationToken).ConfigureAwait(false);
            await new ResourceClient<V1Secret>(_connection, ResourceTypes.Secrets(_options.Namespace)).ListAsync(_options.Namespace, null, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (ApiFailure.Is(e, cancellationToken) || e is System.Text.Json.JsonException)
        {
            LogBgpUnreadable(_logger, e, _options.Namespace);
            return false;
        }
    }

    /// <summary>Hands this evaluation's BGP plan to the sessions and the status reconciler.</summary>
    private void PublishBgp(SpeakerPlan plan)
    {
        if (BgpSessions is null || _bgpPeers is null)
        {
            return;
        }

        BgpSessions.Apply(plan.Bgp, nodeIpv4: null, Password);
        _bgpStatuses?.SetDesired(plan.Bgp.Services
            .Where(s => s.Announces)
            .ToImmutableDictionary(s => s.Service, s => plan.Bgp.PeersOf(s.Service).ToImmutableSortedSet(StringComparer.Ordinal)));
    }

    /// <summary>
    /// Keeps the sessions' report on this speaker's ConfigurationState for `ironlb status`: "[]" from the start, then
    /// each change. A burst of UPDATEs changes the counts many times a second; a write a second at most is plenty.
    /// </summary>
    private async Task ReportSessionsAsync(CancellationToken cancellationToken)
    {
        var sessions = BgpSessions!;
        var reporting = new BgpSessionReporting();
        _stateReporter.SetAnnotation(IronLbAnnotations.BgpSessions, BgpSessionReports.Format([]));
        try
        {
            while (await sessions.Changes.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                sessions.Changes.TryRead(out _);
                _stateReporter.SetAnnotation(IronLbAnnotations.BgpSessions, BgpSessionReports.Format(reporting.Report(sessions.Snapshots)));
                await Task.Delay(ReportInterval, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>A peer's password, from its passwordSecret when it names one; an unreadable Secret is logged when its reason changes.</summary>
    private string? Password(BgpPeer peer)
    {
        var resolved = PeerPasswords.Resolve(peer, _options.Namespace, _secrets?.Items ?? []);
        if (resolved.Error is { } error)
        {
            if (!_passwordErrors.TryGetValue(peer.Name, out var before) || before != error)
            {
                LogPasswordUnresolved(_logger, peer.Name, error);
            }

            _passwordErrors[peer.Name] = error;
            return null;
        }

        _passwordErrors.Remove(peer.Name);
        return resolved.Password;
    }

    [LoggerMessage(EventId = 196, Level = LogLevel.Information, Message = "BGP mode off: {reason}")]
    private static partial void LogBgpOff(ILogger logger, string reason);

    [LoggerMessage(EventId = 198, Level = LogLevel.Warning, Message = "BGP mode off: reading BGPPeers or Secrets in {ns} failed; check the speaker's RBAC (deploy/rbac/speaker.yaml)")]
    private static partial void LogBgpUnreadable(ILogger logger, Exception exception, string ns);

    [LoggerMessage(EventId = 197, Level = LogLevel.Error, Message = "BGPPeer {peer}: {error}; its session stays down until the Secret is right")]
    private static partial void LogPasswordUnresolved(ILogger logger, string peer, string error);
}
