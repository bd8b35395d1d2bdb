using IronLb.Core.Addressing;
using IronLb.Core.Configuration;
using static IronLb.Core.Tests.Configuration.Resources;

namespace IronLb.Core.Tests.Configuration;

/// <summary>What a valid BGP configuration becomes: defaults (metallb-bgp.md §1), derived timers, resolved communities, attached advertisements.</summary>
public sealed class BgpResolutionTests
{
    private static LoadBalancerConfig Parse(ClusterResources resources)
    {
        var result = ConfigParser.Parse(resources);
        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        return result.Config!;
    }

    [Fact]
    public void A_peer_with_only_the_required_fields_gets_MetalLB_defaults()
    {
        var peer = Parse(Cluster().With(Peer("p"))).BgpPeers.Single();
        Assert.Equal(64500u, peer.MyAsn);
        Assert.Equal(64501u, peer.PeerAsn);
        Assert.Null(peer.DynamicAsn);
        Assert.Equal(Address.Parse("192.0.2.1"), peer.Address);
        Assert.Equal(179, peer.Port);
        Assert.Null(peer.HoldTime);
        Assert.Null(peer.KeepaliveTime);
        Assert.Null(peer.SourceAddress);
        Assert.Null(peer.RouterId);
        Assert.Empty(peer.NodeSelectors);
        Assert.False(peer.IsInternal);
        Assert.True(peer.SelectsNode(Labels("any=thing")));
    }

    [Theory]
    [InlineData("90s", null, 90, 30)]
    [InlineData(null, "10s", 30, 10)]
    [InlineData("1m", "20s", 60, 20)]
    [InlineData("0s", null, 0, 0)]
    public void Timers_derive_the_missing_one(string? hold, string? keepalive, int holdSeconds, int keepaliveSeconds)
    {
        var peer = Parse(Cluster().With(Peer("p") with { HoldTime = hold, KeepaliveTime = keepalive })).BgpPeers.Single();
        Assert.Equal(TimeSpan.FromSeconds(holdSeconds), peer.HoldTime);
        Assert.Equal(TimeSpan.FromSeconds(keepaliveSeconds), peer.KeepaliveTime);
    }

    [Fact]
    public void Dynamic_ASN_decides_iBGP_and_peers_sort_by_name()
    {
        var config = Parse(Cluster().With(
            Peer("z", peerAsn: 0, address: "192.0.2.3") with { DynamicAsn = "internal" },
            Peer("a", peerAsn: 0, address: "192.0.2.2") with { DynamicAsn = "external" },
            Peer("m", 64500, 64500)));
        Assert.Equal(["a", "m", "z"], config.BgpPeers.Select(p => p.Name));
        Assert.Equal([false, true, true], config.BgpPeers.Select(p => p.IsInternal));
        Assert.All(config.BgpPeers.Where(p => p.DynamicAsn is not null), p => Assert.Null(p.PeerAsn));
    }

    [Fact]
    public void An_advertisement_with_only_a_name_applies_to_every_pool_node_and_peer_with_host_routes()
    {
        var config = Parse(Cluster(Pool("a", "10.0.0.0/24"), Pool("b", "2001:db8::/64")).With(BgpAd("ad")));
        Assert.All(config.Pools, pool =>
        {
            var ad = Assert.Single(pool.BgpAdvertisements);
            Assert.Equal(32, ad.AggregationLength);
            Assert.Equal(128, ad.AggregationLengthV6);
            Assert.Equal(0u, ad.LocalPref);
            Assert.Empty(ad.Communities);
            Assert.Null(ad.Nodes);
            Assert.Empty(ad.Peers);
            Assert.True(ad.IncludesNode("anything"));
            Assert.True(ad.IncludesPeer("anyone"));
        });
    }

    [Fact]
    public void Communities_resolve_aliases_deduplicate_and_sort_as_MetalLB()
    {
        var config = Parse(Cluster(Pool("a", "10.0.0.0/24"))
            .With(Aliases("c", ("no-advertise", "65535:65282"), ("big", "large:1:0:0")))
            .With(BgpAd("ad") with { Communities = ["large:64500:1:2", "no-advertise", "1:0", "65535:65282", "big"] }));
        var ad = config.Pools.Single().BgpAdvertisements.Single();

        // A standard community compares as the large (A<<16|B):0:0, so 1:0 (65536) sorts after large:64500:1:2;
        // no-advertise is 65535:65282 written another way, so it appears once.
        Assert.Equal(["large:1:0:0", "large:64500:1:2", "1:0", "65535:65282"], ad.Communities.Select(c => c.ToString()));
    }

    [Fact]
    public void Pool_selection_by_name_or_label_and_node_selectors_resolve_against_nodes()
    {
        var config = Parse(Cluster(
                Pool("a", "10.0.0.0/24"),
                Pool("b", "10.0.1.0/24") with { Labels = Labels("bgp=yes") },
                Pool("c", "10.0.2.0/24"))
            .WithNodes(Node("n1", "rack=1"), Node("n2", "rack=2"))
            .With(BgpAd("ad") with { IpAddressPools = ["a"], IpAddressPoolSelectors = [Match("bgp=yes")], NodeSelectors = [Match("rack=2")] }));
        Assert.Equal(["a", "b"], config.Pools.Where(p => !p.BgpAdvertisements.IsEmpty).Select(p => p.Name));
        Assert.Equal(["n2"], config.ByName["a"].BgpAdvertisements.Single().Nodes!);
    }

    [Fact]
    public void A_pool_selector_that_matches_nothing_selects_nothing()
    {
        var config = Parse(Cluster(Pool("a", "10.0.0.0/24")).With(BgpAd("ad") with { IpAddressPoolSelectors = [Match("bgp=yes")] }));
        Assert.Empty(config.Pools.Single().BgpAdvertisements);
    }

    [Fact]
    public void Resources_without_BGP_objects_parse_as_before()
    {
        var config = Parse(Cluster(Pool("a", "10.0.0.0/24")));
        Assert.Empty(config.BgpPeers);
        Assert.Empty(config.Pools.Single().BgpAdvertisements);
    }

    [Theory]
    [InlineData("65535:65282", false, "65535:65282")]
    [InlineData("0:0", false, "0:0")]
    [InlineData("007:08", false, "7:8")]
    [InlineData("large:4294967295:0:1", true, "large:4294967295:0:1")]
    public void Community_text_round_trips(string text, bool large, string canonical)
    {
        Assert.True(BgpCommunity.TryParse(text, out var community, out var error, out _), error);
        Assert.Equal(large, community.IsLarge);
        Assert.Equal(canonical, community.ToString());
    }

    [Theory]
    [InlineData("90s", 90_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1.5h", 5_400_000)]
    [InlineData("500ms", 500)]
    [InlineData("0", 0)]
    [InlineData("-3s", -3_000)]
    [InlineData(".5s", 500)]
    [InlineData("1h1m1s1ms", 3_661_001)]
    public void Go_durations_parse(string text, long milliseconds)
    {
        Assert.True(GoDuration.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("90")]
    [InlineData("s")]
    [InlineData("1x")]
    [InlineData("1..5s")]
    [InlineData(".s")]
    [InlineData("1 s")]
    public void Go_durations_reject(string text) => Assert.False(GoDuration.TryParse(text, out _));

    [Theory]
    [InlineData(90_000, "1m30s")]
    [InlineData(3_000, "3s")]
    [InlineData(1_500, "1.5s")]
    [InlineData(500, "500ms")]
    [InlineData(3_600_000, "1h0m0s")]
    [InlineData(0, "0s")]
    public void Go_durations_format_as_Go(long milliseconds, string text) =>
        Assert.Equal(text, GoDuration.Format(TimeSpan.FromMilliseconds(milliseconds)));
}
