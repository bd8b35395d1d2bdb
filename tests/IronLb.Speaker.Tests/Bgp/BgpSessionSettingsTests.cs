using System.Net;
using IronLb.Bgp.Session;
using IronLb.Core.Addressing;
using IronLb.Core.Configuration;
using IronLb.Speaker.Bgp;
using PeerAsn = IronLb.Core.Configuration.DynamicAsn;
using SessionAsn = IronLb.Bgp.Session.DynamicAsn;

namespace IronLb.Speaker.Tests.Bgp;

/// <summary>A BGPPeer as one session's terms: one row per field that reaches the OPEN or the timers.</summary>
public sealed class BgpSessionSettingsTests
{
    private static readonly BgpPeer Tor = new() { Name = "tor", MyAsn = 64512, PeerAsn = 64513, Address = Address.Parse("192.0.2.1") };

    [Fact]
    public void Defaults_are_MetalLBs_hold_time_a_ten_second_dial_and_the_sessions_own_family()
    {
        var config = BgpSessionSettings.For(Tor, "n1", IPAddress.Parse("192.0.2.10"));
        Assert.Equal((64512u, 64513u, SessionAsn.None), (config.LocalAsn, config.PeerAsn, config.Dynamic));
        Assert.Equal(TimeSpan.FromSeconds(90), config.HoldTime);
        Assert.Null(config.KeepaliveTime);
        Assert.Equal(TimeSpan.FromSeconds(10), config.ConnectRetryTime);
        Assert.Equal([BgpFamily.Ipv4Unicast], config.Families);
        Assert.False(config.GracefulRestart);
    }

    [Fact]
    public void The_peers_timers_dynamic_ASN_graceful_restart_and_dual_stack_are_carried()
    {
        var peer = Tor with
        {
            PeerAsn = null,
            DynamicAsn = PeerAsn.External,
            HoldTime = TimeSpan.FromSeconds(9),
            KeepaliveTime = TimeSpan.FromSeconds(3),
            ConnectTime = TimeSpan.FromSeconds(2),
            EnableGracefulRestart = true,
            DualStackAddressFamily = true,
        };
        var config = BgpSessionSettings.For(peer, "n1", null);
        Assert.Equal((0u, SessionAsn.External), (config.PeerAsn, config.Dynamic));
        Assert.Equal((TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(2)), (config.HoldTime, config.KeepaliveTime!.Value, config.ConnectRetryTime));
        Assert.True(config.GracefulRestart);
        Assert.Equal([BgpFamily.Ipv4Unicast, BgpFamily.Ipv6Unicast], config.Families);
    }

    [Fact]
    public void An_IPv6_peer_offers_IPv6_unicast_only()
    {
        var config = BgpSessionSettings.For(Tor with { Address = Address.Parse("2001:db8::1") }, "n1", null);
        Assert.Equal([BgpFamily.Ipv6Unicast], config.Families);
    }

    public static TheoryData<string, string?, string?, string?, uint> RouterIds => new()
    {
        { "routerID wins", "198.51.100.1", "192.0.2.7", "192.0.2.10", 0xC6336401 },
        { "then an IPv4 source address", null, "192.0.2.7", "192.0.2.10", 0xC0000207 },
        { "then the node's IPv4 address", null, null, "192.0.2.10", 0xC000020A },
        { "an IPv6 source address is not an identifier", null, "2001:db8::7", "192.0.2.10", 0xC000020A },
    };

    [Theory]
    [MemberData(nameof(RouterIds))]
    public void The_router_ID_follows_MetalLBs_order(string row, string? routerId, string? source, string? nodeIp, uint expected)
    {
        var peer = Tor with
        {
            RouterId = routerId is null ? null : Address.Parse(routerId),
            SourceAddress = source is null ? null : Address.Parse(source),
        };
        Assert.True(expected == BgpSessionSettings.RouterId(peer, "n1", nodeIp is null ? null : IPAddress.Parse(nodeIp)), row);
    }

    [Fact]
    public void Without_any_IPv4_address_the_router_ID_is_a_stable_non_zero_hash_of_the_node_name()
    {
        var first = BgpSessionSettings.RouterId(Tor, "n1", null);
        Assert.Equal(first, BgpSessionSettings.RouterId(Tor, "n1", IPAddress.Parse("2001:db8::1")));
        Assert.NotEqual(0u, first);
        Assert.NotEqual(first, BgpSessionSettings.RouterId(Tor, "n2", null));
    }
}
