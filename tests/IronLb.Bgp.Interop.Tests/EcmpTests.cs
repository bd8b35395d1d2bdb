using IronLb.Lab.Routers;

namespace IronLb.Bgp.Interop.Tests;

/// <summary>
/// Two routers in different AS announce the same /32 and /128 to a third: with maximum-paths (FRR, relaxed AS path)
/// or merge paths (BIRD) the receiver's kernel table gets one route with both next hops, which is what spreads
/// traffic across nodes.
/// </summary>
[Trait("Category", Category.Network)]
[Trait("Category", Category.Root)]
public sealed class EcmpTests
{
    [Theory]
    [InlineData("frr")]
    [InlineData("bird")]
    public async Task Two_announcers_give_two_next_hops_in_the_kernel(string receiverSoftware)
    {
        RouterRequirements.Need("frr", receiverSoftware);
        await using var net = new RouterNet();
        var receiverNs = await net.AddNamespaceAsync("r");
        var sender1 = await net.AddNamespaceAsync("s1");
        var sender2 = await net.AddNamespaceAsync("s2");
        var link1 = await net.LinkAsync(receiverNs, sender1);
        var link2 = await net.LinkAsync(receiverNs, sender2);
        var shared = PeeringTests.Announced("203.0.113.250/32", "2001:db8:b9:ff::250/128", "64700:1", "64700:1:1", 100);

        await net.StartAsync(receiverSoftware, net.Spec(receiverNs, link1.A4, 64700) with
        {
            Neighbours = [new BgpNeighbour(link1.B4, RemoteAs.Of(64701)), new BgpNeighbour(link1.B6, RemoteAs.Of(64701)),
                new BgpNeighbour(link2.B4, RemoteAs.Of(64702)), new BgpNeighbour(link2.B6, RemoteAs.Of(64702))],
        });
        foreach (var (ns, link, asn) in new[] { (sender1, link1, 64701u), (sender2, link2, 64702u) })
        {
            await net.StartAsync("frr", net.Spec(ns, link.B4, asn) with
            {
                Neighbours = [new BgpNeighbour(link.A4, RemoteAs.Of(64700)), new BgpNeighbour(link.A6, RemoteAs.Of(64700))],
                Announce = shared,
            });
        }

        // IPv6: FRR hands the kernel the senders' link-local next hops, BIRD their global ones; either names both senders.
        var sender1Link = new[] { link1.B6, await RouterNet.LinkLocalAsync(sender1, link1.Device) };
        var sender2Link = new[] { link2.B6, await RouterNet.LinkLocalAsync(sender2, link2.Device) };
        foreach (var (prefix, first, second) in new[] { (shared[0].Prefix, new[] { link1.B4 }, new[] { link2.B4 }), (shared[1].Prefix, sender1Link, sender2Link) })
        {
            var drops = new List<string>();
            var routes = await Eventually.UntilAsync(() => KernelRoutes.ReadAsync(receiverNs, drops),
                r => r.Any(k => k.Prefix == prefix && k.NextHops.Length == 2), $"two next hops for {prefix} in {receiverNs}'s kernel table");
            var route = routes.Single(k => k.Prefix == prefix);
            Assert.Single(route.NextHops, first.Contains);
            Assert.Single(route.NextHops, second.Contains);
            Assert.Empty(drops);
        }
    }
}
