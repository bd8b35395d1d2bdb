using System.Net;
using IronLb.Lab.Routers;

namespace IronLb.Bgp.Interop.Tests;

/// <summary>
/// The readers of the routers' output, on outputs captured from FRR 8.4.4 and BIRD 2.0.12 (TestData/) and on broken
/// lines: every broken input is a counted drop with a reason, never an exception.
/// </summary>
public sealed class ParserTests
{
    private static string Data(string file) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", file));

    [Fact]
    public void Bird_routes_captured_from_a_peering_with_frr()
    {
        var drops = new List<string>();
        var paths = BirdRouteParser.Parse(Data("bird-route-all.txt"), drops);
        Assert.Empty(drops);
        Assert.Equal(4, paths.Length);
        var own = paths.Single(p => p.Prefix == IPNetwork.Parse("192.0.2.0/25"));
        Assert.Equal(["65000:100"], own.Communities);
        Assert.Equal(["64501:1:2"], own.LargeCommunities);
        var learned = paths.Single(p => p.Prefix == IPNetwork.Parse("2001:db8:99::/48"));
        Assert.Equal(IPAddress.Parse("2001:db8:1::1"), learned.NextHop);
        Assert.Equal([64500u], learned.AsPath);
        Assert.Equal(100u, learned.LocalPref);
        Assert.True(learned.Best);
    }

    [Fact]
    public void Bird_protocols_captured_from_a_peering_with_frr()
    {
        var drops = new List<string>();
        var neighbours = BirdProtocolParser.Parse(Data("bird-protocols-all.txt"), drops);
        Assert.Empty(drops);
        Assert.Equal(
            [new NeighbourState(IPAddress.Parse("198.51.100.1"), "Established", 1), new NeighbourState(IPAddress.Parse("2001:db8:1::1"), "Established", 1)],
            neighbours);
    }

    [Theory]
    // A further path to the same prefix: a second row, its own next hop.
    [InlineData("Table master4:\n203.0.113.9/32 unicast [p0 10:00:00.000] * (100) [AS1i]\n\tBGP.next_hop: 198.51.100.1\n                unicast [p1 10:00:01.000] (100) [AS2i]\n\tBGP.next_hop: 198.51.100.5\n", 2, 0)]
    [InlineData("Table master4:\n203.0.113.9/32 unicast [p0 10:00:00.000 from 198.51.100.1] * (100/0) [i]\n\tvia 198.51.100.1 on eth0\n", 1, 0)]
    [InlineData("203.0.113.9/33 unicast [p0 10:00:00.000] * (100)\n\tBGP.next_hop: 198.51.100.1\n", 0, 2)]
    [InlineData("203.0.113.9/32 unicast [p0 10:00:00.000] * (100)\n\tBGP.next_hop: not-an-address\n", 1, 1)]
    [InlineData("203.0.113.9/32 unicast [p0 10:00:00.000] * (100)\n\tBGP.as_path: 1 two 3\n", 1, 1)]
    [InlineData("203.0.113.9/32 unicast [p0 10:00:00.000] * (100)\n\tBGP.local_pref: -5\n", 1, 1)]
    [InlineData("203.0.113.9/32 unicast [p0 10:00:00.000] * (100)\n\tBGP.community: (1,2) (x,3)\n", 1, 1)]
    [InlineData("203.0.113.9/32 unicast [p0 10:00:00.000] * (100)\n\tBGP.large_community: (1, 2, 3) junk\n", 1, 1)]
    [InlineData("\tBGP.next_hop: 198.51.100.1\n", 0, 1)]
    [InlineData("                unicast [p1 10:00:01.000] (100) [AS2i]\n", 0, 1)]
    [InlineData("something else entirely\n", 0, 1)]
    [InlineData("203.0.113.9/32 unicast [p0 10:00:00.000] * (100)\n\t!!!\n", 1, 1)]
    [InlineData("", 0, 0)]
    public void Bird_route_lines(string text, int paths, int drops)
    {
        var dropped = new List<string>();
        Assert.Equal(paths, BirdRouteParser.Parse(text, dropped).Length);
        Assert.Equal(drops, dropped.Count);
    }

    [Theory]
    [InlineData("p0 BGP --- start 10:00:00.000 Active Socket: Connection refused\n  Neighbor address: 198.51.100.2\n", 1, 0, "Active Socket: Connection refused")]
    [InlineData("p0 BGP --- up 10:00:00.000 Established\n  BGP state: Established\n    Neighbor address: 198.51.100.2\n  Channel ipv4\n    Routes: 3 imported, 1 exported, 3 preferred\n", 1, 0, "Established")]
    [InlineData("p0 BGP --- up 10:00:00.000 Established\n  BGP state: Established\n    Neighbor address: 198.51.100.x\n", 0, 2, null)]
    [InlineData("p0 BGP --- up 10:00:00.000 Established\n  BGP state: Established\n    Neighbor address: 198.51.100.2\n    Routes: many\n", 1, 1, "Established")]
    [InlineData("p0 BGP --- up 10:00:00.000 Established\n  BGP state: Established\n", 0, 1, null)]
    [InlineData("k4 Kernel master4 up 10:00:00.000\n    Routes: 0 imported, 1 exported, 0 preferred\n", 0, 0, null)]
    [InlineData("garbage\n", 0, 1, null)]
    public void Bird_protocol_lines(string text, int neighbours, int drops, string? state)
    {
        var dropped = new List<string>();
        var parsed = BirdProtocolParser.Parse(text, dropped);
        Assert.Equal(neighbours, parsed.Length);
        Assert.Equal(drops, dropped.Count);
        Assert.Equal(state, parsed.FirstOrDefault()?.State);
    }

    [Fact]
    public void Frr_routes_and_summary_captured_from_a_peering_with_bird()
    {
        var drops = new List<string>();
        var v4 = FrrViewParser.Routes(Data("frr-ipv4-detail.json"), drops);
        var v6 = FrrViewParser.Routes(Data("frr-ipv6-detail.json"), drops);
        var summary = FrrViewParser.Summary(Data("frr-summary.json"), drops);
        Assert.Empty(drops);
        var learned = v4.Single(p => p.Prefix == IPNetwork.Parse("192.0.2.0/25"));
        Assert.Equal(IPAddress.Parse("198.51.100.2"), learned.NextHop);
        Assert.Equal([64501u], learned.AsPath);
        Assert.Equal(["65000:100"], learned.Communities);
        Assert.Equal(["64501:1:2"], learned.LargeCommunities);
        Assert.True(learned.Best);
        // The IPv6 path lists its link-local next hop too; the global one is what we report.
        Assert.Equal(IPAddress.Parse("2001:db8:1::2"), v6.Single(p => p.Prefix == IPNetwork.Parse("2001:db8:77::/48")).NextHop);
        Assert.Equal(2, summary.Length);
        Assert.All(summary, n => Assert.True(n.Established));
    }

    [Theory]
    [InlineData("not json", 0, 1)]
    [InlineData("{}", 0, 0)]
    [InlineData("""{"routes":{"bogus":[]}}""", 0, 1)]
    [InlineData("""{"routes":{"203.0.113.1/32":[{"prefix":"203.0.113.1/32"},{"aspath":{"segments":[{"list":[1,2]}]},"locPrf":300,"nexthops":[{"ip":"198.51.100.1"}]}]}}""", 1, 0)]
    [InlineData("""{"routes":{"203.0.113.1/32":[{"aspath":"odd","nexthops":"odd"}]}}""", 1, 0)]
    public void Frr_route_json(string json, int paths, int drops)
    {
        var dropped = new List<string>();
        Assert.Equal(paths, FrrViewParser.Routes(json, dropped).Length);
        Assert.Equal(drops, dropped.Count);
    }

    [Fact]
    public void Frr_local_pref_and_as_path_come_from_the_detail()
    {
        var path = Assert.Single(FrrViewParser.Routes("""{"routes":{"203.0.113.1/32":[{"aspath":{"segments":[{"list":[1,2]}]},"locPrf":300,"nexthops":[{"ip":"198.51.100.1"}]}]}}""", []));
        Assert.Equal(300u, path.LocalPref);
        Assert.Equal([1u, 2u], path.AsPath);
    }

    [Theory]
    [InlineData("""{"ipv4Unicast":{"peers":{"198.51.100.2":{"state":"Active","pfxRcd":0}}},"ipv6Unicast":{"peers":{"198.51.100.2":{"state":"Active","pfxRcd":0}}}}""", 1, 0)]
    [InlineData("""{"ipv4Unicast":{"peers":{"nope":{"state":"Active"}}}}""", 0, 1)]
    [InlineData("[]", 0, 1)]
    [InlineData("{", 0, 1)]
    public void Frr_summary_json(string json, int neighbours, int drops)
    {
        var dropped = new List<string>();
        Assert.Equal(neighbours, FrrViewParser.Summary(json, dropped).Length);
        Assert.Equal(drops, dropped.Count);
    }

    [Theory]
    [InlineData("""[{"dst":"203.0.113.250","protocol":"bgp","nexthops":[{"gateway":"198.51.100.226","dev":"a"},{"gateway":"198.51.100.230","dev":"b"}]}]""", "203.0.113.250/32", 2, 0)]
    [InlineData("""[{"dst":"2001:db8:b9:ff::250","gateway":"2001:db8:b9::2","dev":"a","protocol":"bird"}]""", "2001:db8:b9:ff::250/128", 1, 0)]
    [InlineData("""[{"dst":"198.51.100.224/30","dev":"a","protocol":"kernel"}]""", "198.51.100.224/30", 0, 0)]
    [InlineData("""[{"dst":"default","gateway":"198.51.100.1"}]""", null, 0, 1)]
    [InlineData("""[{"gateway":"198.51.100.1"}]""", null, 0, 1)]
    [InlineData("""{"dst":"x"}""", null, 0, 1)]
    [InlineData("nonsense", null, 0, 1)]
    public void Kernel_route_json(string json, string? prefix, int nextHops, int drops)
    {
        var dropped = new List<string>();
        var routes = KernelRoutes.Parse(json, dropped);
        Assert.Equal(drops, dropped.Count);
        Assert.Equal(prefix, routes.SingleOrDefault()?.Prefix.ToString());
        Assert.Equal(nextHops, routes.SingleOrDefault()?.NextHops.Length ?? 0);
    }
}
