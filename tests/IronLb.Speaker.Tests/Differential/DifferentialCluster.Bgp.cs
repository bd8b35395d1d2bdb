using System.Text.Json.Nodes;
using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Crds;
using IronLb.Kubernetes.Informers;
using Microsoft.Extensions.Logging;

namespace IronLb.Speaker.Tests.Differential;

/// <summary>
/// The BGP half of a generated cluster: BGPPeers (metallb.io/v1beta2), BGPAdvertisements and the one Community object
/// written through the real client like the pools, read back into plan's manifest with them, and read by the speaker's
/// evaluation through the informers a cluster speaker runs for BGP mode (as the speaker's ServiceAccount, under RBAC).
/// </summary>
internal sealed partial class DifferentialCluster
{
    /// <summary>Every MetalLB configuration kind a generated cluster holds, as plan reads them: plural, kind, version.</summary>
    private static readonly (string Plural, string Kind, string Version)[] ConfigurationKinds =
    [
        ("ipaddresspools", "IPAddressPool", "v1beta1"), ("l2advertisements", "L2Advertisement", "v1beta1"),
        ("bgppeers", "BGPPeer", "v1beta2"), ("bgpadvertisements", "BGPAdvertisement", "v1beta1"), ("communities", "Community", "v1beta1"),
    ];

    private async Task CreateBgpAsync(BgpSpec bgp, string ns)
    {
        if (bgp.IsEmpty)
        {
            return;
        }

        foreach (var peer in bgp.Peers)
        {
            // Loopback only, on a port nothing listens on (see BgpPeerSpec): network safety does not depend on sessions staying off.
            var peerSpec = new JsonObject
            {
                ["myASN"] = BgpGen.MyAsn,
                ["peerASN"] = peer.Internal ? BgpGen.MyAsn : BgpGen.MyAsn + 1,
                ["peerAddress"] = peer.Ipv6 ? "::1" : "127.0.0.1",
                ["peerPort"] = peer.Port,
            };
            if (peer.Zone is { } zone)
            {
                peerSpec["nodeSelectors"] = ZoneSelector(zone);
            }

            if (peer.DualStack)
            {
                peerSpec["dualStackAddressFamily"] = true;
            }

            await CreateCustomAsync(ns, "bgppeers", "BGPPeer", peer.Name, peerSpec, "v1beta2");
        }

        var alias = new JsonObject { ["name"] = BgpGen.Alias, ["value"] = BgpGen.AliasValue };
        await CreateCustomAsync(ns, "communities", "Community", "aliases", new JsonObject { ["communities"] = new JsonArray(alias) });
        foreach (var advertisement in bgp.Advertisements)
        {
            var adSpec = new JsonObject { ["ipAddressPools"] = new JsonArray([.. advertisement.Pools.Select(p => JsonValue.Create(p))]) };
            if (advertisement.Zone is { } zone)
            {
                adSpec["nodeSelectors"] = ZoneSelector(zone);
            }

            if (!advertisement.Peers.IsEmpty)
            {
                adSpec["peers"] = new JsonArray([.. advertisement.Peers.Select(p => JsonValue.Create(p))]);
            }

            if (advertisement.AggregationLength is { } length)
            {
                adSpec["aggregationLength"] = length;
            }

            if (advertisement.AggregationLengthV6 is { } lengthV6)
            {
                adSpec["aggregationLengthV6"] = lengthV6;
            }

            if (advertisement.LocalPref is { } localPref)
            {
                adSpec["localPref"] = localPref;
            }

            if (!advertisement.Communities.IsEmpty)
            {
                adSpec["communities"] = new JsonArray([.. advertisement.Communities.Select(c => JsonValue.Create(c))]);
            }

            await CreateCustomAsync(ns, "bgpadvertisements", "BGPAdvertisement", advertisement.Name, adSpec);
        }
    }

    private static JsonArray ZoneSelector(string zone) => new(new JsonObject { ["matchLabels"] = new JsonObject { ["zone"] = zone } });

    /// <summary>The BGP kinds' informers, as ClusterSpeaker.Bgp runs them (Secrets aside: no generated peer has a password).</summary>
    private sealed class BgpInformers(KubeConnection connection, string ns, ILogger logger)
    {
        public Informer<BgpPeerObject> Peers { get; } = new(connection, ResourceTypes.BgpPeers(ns), TimeProvider.System, logger);

        public Informer<BgpAdvertisementObject> Advertisements { get; } = new(connection, ResourceTypes.BgpAdvertisements(ns), TimeProvider.System, logger);

        public Informer<CommunityObject> Communities { get; } = new(connection, ResourceTypes.Communities(ns), TimeProvider.System, logger);

        public Task[] Run(CancellationToken stop) => [Peers.RunAsync(stop), Advertisements.RunAsync(stop), Communities.RunAsync(stop)];

        public Task WaitForSyncAsync(CancellationToken timeout) =>
            Task.WhenAll(Peers.WaitForSyncAsync(timeout), Advertisements.WaitForSyncAsync(timeout), Communities.WaitForSyncAsync(timeout));
    }
}
