using System.Net;
using IronLb.Lab.Routers;
using IronLb.Testing.Manifests;
using static IronLb.Bgp.Interop.Tests.Speaker.SpeakerTopology;

namespace IronLb.Bgp.Interop.Tests.Speaker;

/// <summary>
/// Two nodes, each with its own real speaker, announce the same Service to FRR (maximum-paths): the router's kernel
/// route to the address has both nodes as next hops, so traffic is spread over them.
/// </summary>
[Trait("Category", Category.Network)]
[Trait("Category", Category.Root)]
public sealed class SpeakerInteropEcmpTests
{

    [Fact]
    public async Task Two_speakers_give_the_routers_kernel_two_next_hops()
    {
        RouterRequirements.Need("frr");
        await using var t = await SpeakerTopology.CreateAsync("frr", nodes: 2, RouterAsn, NodeAsn);
        t.Write("config.yaml", ManifestYaml.Join(
            t.NodesAndPeers(NodeAsn, RouterAsn),
            BgpYaml.Pool(SpeakerTopology.Pool, "203.0.113.0/24", "2001:db8:ba::/64"),
            BgpYaml.Advertisement("all", SpeakerTopology.Pool)));
        t.Write("services.yaml", ManifestYaml.Service("web", "web", ["203.0.113.40", "2001:db8:ba::40"], 443, assigned: true));
        foreach (var node in t.Nodes)
        {
            t.StartSpeaker(node);
        }

        // IPv6: FRR gives the kernel link-local next hops; either address names the node.
        var (one, two) = (t.Nodes[0], t.Nodes[1]);
        var oneV6 = new[] { one.Link.A6, await RouterNet.LinkLocalAsync(one.Netns, one.Link.Device) };
        var twoV6 = new[] { two.Link.A6, await RouterNet.LinkLocalAsync(two.Netns, two.Link.Device) };
        foreach (var (prefix, first, second) in new[]
        {
            (IPNetwork.Parse("203.0.113.40/32"), new[] { one.Link.A4 }, new[] { two.Link.A4 }),
            (IPNetwork.Parse("2001:db8:ba::40/128"), oneV6, twoV6),
        })
        {
            var drops = new List<string>();
            var routes = await Eventually.UntilAsync(() => KernelRoutes.ReadAsync(t.Router.Spec.Netns, drops),
                r => r.Any(k => k.Prefix == prefix && k.NextHops.Length == 2), $"two next hops for {prefix} in the router's kernel table");
            var route = routes.Single(k => k.Prefix == prefix);
            Assert.Single(route.NextHops, first.Contains);
            Assert.Single(route.NextHops, second.Contains);
            Assert.Empty(drops);
        }
    }
}
