using CsCheck;
using IronLb.Core.Announcement;
using IronLb.Core.Configuration;
using static IronLb.Core.Tests.Configuration.Resources;

namespace IronLb.Core.Tests.Announcement;

/// <summary>
/// Random clusters (nodes, peers, advertisements, endpoints, a one- or two-family Service): the announcement is
/// the same whatever order the objects arrive in, and every prefix announced covers an address the Service holds,
/// masked to the length of an advertisement that applies.
/// </summary>
public sealed class BgpAnnouncementProperties
{
    private sealed record NodeSpec(bool Excluded, bool Unavailable);

    private sealed record PeerSpec(bool V6, bool Internal, int Rack, bool DualStack);

    private sealed record AdSpec(int Length, int LengthV6, int PeerIndex, int Rack, int Community);

    private static readonly Gen<NodeSpec> GenNode = Gen.Select(Gen.Int[0, 5], Gen.Int[0, 5], (e, u) => new NodeSpec(e == 0, u == 0));

    private static readonly Gen<PeerSpec> GenPeer = Gen.Select(Gen.Bool, Gen.Bool, Gen.Int[-1, 1], Gen.Bool, (v6, ibgp, rack, dual) => new PeerSpec(v6, ibgp, rack, dual));

    // PeerIndex -1 means every peer, Rack -1 every node, Community -1 none.
    private static readonly Gen<AdSpec> GenAd = Gen.Select(Gen.Int[24, 32], Gen.Int[120, 128], Gen.Int[-1, 3], Gen.Int[-1, 1], Gen.Int[-1, 2], (l, l6, p, r, c) => new AdSpec(l, l6, p, r, c));

    private static readonly string[] CommunityValues = ["65535:65282", "64500:1", "large:64500:0:1"];

    [Fact]
    public void Announcements_are_deterministic_and_only_cover_the_Services_addresses()
    {
        var gen = Gen.Select(
            GenNode.Array[1, 4],
            GenPeer.Array[0, 4],
            GenAd.Array[0, 3],
            Gen.Select(Gen.Int[0, 255].Array[0, 2], Gen.Int[0, 255].Array[0, 2]),
            Gen.Select(Gen.Bool, Gen.Int[0, 1000], Gen.Int[0, 2].Array[0, 4], Gen.Int[0, 3]));
        gen.Sample((nodes, peers, ads, ips, rest) =>
        {
            var (v4, v6) = ips;
            var (local, seed, readiness, localPref) = rest;
            var addresses = v4.Take(1).Select(i => $"10.0.0.{i}").Concat(v6.Take(1).Select(i => $"2001:db8::{i:x}")).ToArray();
            var resources = Build(nodes, peers, ads, localPref * 50);
            var service = BgpAnnouncementTests.Service(addresses, local, []);
            var endpoints = new ServiceEndpoints([.. readiness.Select((r, i) => new EndpointView($"n{i % nodes.Length}", r switch { 0 => true, 1 => false, _ => null }))]);

            var parsed = ConfigParser.Parse(resources);
            Assert.True(parsed.IsValid, string.Join("; ", parsed.Errors));
            var first = BgpAnnouncement.Decide(service, parsed.Config!, endpoints);

            // The same objects in another order give the same answer, route for route.
            var shuffled = ConfigParser.Parse(Shuffle(resources, new Random(seed))).Config!;
            var second = BgpAnnouncement.Decide(service, shuffled, new ServiceEndpoints([.. endpoints.Endpoints.Reverse()]));
            Assert.Equal(first.Decision, second.Decision);
            Assert.Equal(first.Nodes, second.Nodes);

            var held = first.Ips.ToHashSet();
            var pool = parsed.Config!.ByName["a"];
            foreach (var node in first.Nodes)
            {
                Assert.Equal(node.Decision == BgpAnnounceDecision.Announce, !node.Routes.IsEmpty);
                Assert.Equal(node.Routes, BgpRouteTable.Merge([node]));
                var keys = node.Routes.Select(r => (r.Peer, r.Prefix.ToString())).ToList();
                Assert.Equal(keys.Count, keys.Distinct().Count());
                foreach (var route in node.Routes)
                {
                    Assert.Contains(held, ip => route.Prefix.Contains(ip)
                        && pool.BgpAdvertisements.Any(a => a.PrefixFor(ip) == route.Prefix));
                    var peer = parsed.Config.BgpPeers.Single(p => p.Name == route.Peer);
                    Assert.True(peer.Carries(route.Prefix.Family));
                    Assert.True(peer.IsInternal || route.LocalPref is null);
                }
            }
        }, iter: 400);
    }

    private static ClusterResources Build(NodeSpec[] nodes, PeerSpec[] peers, AdSpec[] ads, int localPref) =>
        Cluster(Pool("a", "10.0.0.0/24", "2001:db8::/120"))
            .WithNodes([.. nodes.Select((n, i) => new NodeResource(
                $"n{i}",
                Labels([$"rack={i % 2}", .. n.Excluded ? [$"{L2Election.ExcludeFromLoadBalancersLabel}="] : Array.Empty<string>()]),
                n.Unavailable))])
            .With([.. peers.Select((p, i) => Peer($"p{i}", 64500, p.Internal ? 64500 : 64501, p.V6 ? $"2001:db8:ff::{i + 1}" : $"192.0.2.{i + 1}") with
            {
                NodeSelectors = p.Rack < 0 ? [] : [Match($"rack={p.Rack}")],
                DualStackAddressFamily = p.DualStack,
            })])
            .With([.. ads.Select((a, i) => BgpAd($"ad{i}") with
            {
                AggregationLength = a.Length,
                AggregationLengthV6 = a.LengthV6,
                Peers = a.PeerIndex < 0 ? [] : [$"p{a.PeerIndex}"],
                NodeSelectors = a.Rack < 0 ? [] : [Match($"rack={a.Rack}")],
                Communities = a.Community < 0 ? [] : [CommunityValues[a.Community]],
                LocalPref = localPref,
            })]);

    private static ClusterResources Shuffle(ClusterResources resources, Random random) => resources with
    {
        Nodes = [.. resources.Nodes.OrderBy(_ => random.Next())],
        BgpPeers = [.. resources.BgpPeers.OrderBy(_ => random.Next())],
        BgpAdvertisements = [.. resources.BgpAdvertisements.OrderBy(_ => random.Next())],
    };
}
