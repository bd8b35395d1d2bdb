using IronLb.Bgp.Session;
using IronLb.Bgp.Wire;
using static IronLb.Bgp.Tests.Session.SessionFixture;

namespace IronLb.Bgp.Tests.Session;

/// <summary>Our OPEN and the judgement of the peer's: one row per outcome.</summary>
public sealed class NegotiationTests
{
    private static readonly MultiprotocolCapability V4 = new(Afi.Ipv4, Safi.Unicast);
    private static readonly MultiprotocolCapability V6 = new(Afi.Ipv6, Safi.Unicast);

    /// <summary>An OPEN as a speaker without the 4-octet capability sends it.</summary>
    private static OpenMessage TwoOctet(ushort asn, params Capability[] capabilities) => new(asn, 90, PeerId, [.. capabilities]);

    public static TheoryData<string, BgpSessionConfig, OpenMessage, string> Refusals() => new()
    {
        { "version 3: 2/1 with our version", Config, PeerOpen() with { Version = 3 }, "2/1 0004" },
        { "wrong peer AS", Config, PeerOpen(asn: 64999), "2/2 " },
        { "peer AS 0", Config with { PeerAsn = 0, Dynamic = DynamicAsn.External }, PeerOpen(asn: 0), "2/2 " },
        { "dynamic internal, external peer", Config with { PeerAsn = 0, Dynamic = DynamicAsn.Internal }, PeerOpen(), "2/2 " },
        { "dynamic external, internal peer", Config with { PeerAsn = 0, Dynamic = DynamicAsn.External }, PeerOpen(asn: LocalAsn), "2/2 " },
        { "identifier 0", Config, PeerOpen(id: 0), "2/3 " },
        { "iBGP peer with our identifier", Config with { PeerAsn = LocalAsn }, PeerOpen(asn: LocalAsn, id: LocalId), "2/3 " },
        { "hold time 1", Config, PeerOpen(hold: 1), "2/6 " },
        { "4-octet local ASN, peer without the capability", Config with { LocalAsn = 4_200_000_000 }, TwoOctet((ushort)PeerAsn, V4), "2/7 4104FA56EA00" },
        { "no common family", Config with { Families = [BgpFamily.Ipv6Unicast] }, TwoOctet((ushort)PeerAsn, V4), "2/7 010400020001" },
        { "no MP from the peer means IPv4 only", Config with { Families = [BgpFamily.Ipv6Unicast] }, TwoOctet((ushort)PeerAsn), "2/7 010400020001" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Refused(string row, BgpSessionConfig config, OpenMessage open, string expected)
    {
        var result = OpenNegotiation.Negotiate(config, open);

        Assert.Null(result.Session);
        var n = result.Refusal!;
        Assert.True(expected == $"{n.ErrorCode}/{n.ErrorSubcode} {Convert.ToHexString(n.Data.AsSpan())}", $"{row}: {n}");
    }

    [Fact]
    public void EBGP_peer_may_share_our_identifier() =>
        Assert.NotNull(OpenNegotiation.Negotiate(Config, PeerOpen(id: LocalId)).Session);

    [Fact]
    public void Dynamic_internal_accepts_our_ASN() =>
        Assert.NotNull(OpenNegotiation.Negotiate(Config with { PeerAsn = 0, Dynamic = DynamicAsn.Internal }, PeerOpen(asn: LocalAsn)).Session);

    [Fact]
    public void Two_octet_peer_gets_a_2_octet_session_and_IPv4_when_it_offers_no_MP()
    {
        var session = OpenNegotiation.Negotiate(Config, TwoOctet((ushort)PeerAsn)).Session!;

        Assert.False(session.FourOctetAs);
        Assert.Equal([BgpFamily.Ipv4Unicast], session.Families.Items);
        Assert.False(session.RouteRefresh);
    }

    [Fact]
    public void Families_are_the_intersection()
    {
        var session = OpenNegotiation.Negotiate(Config, PeerOpen(capabilities: [V6])).Session!;

        Assert.Equal([BgpFamily.Ipv6Unicast], session.Families.Items);
        Assert.True(session.FourOctetAs);
    }

    [Theory]
    [InlineData(90, 90, null, 90, 30)]
    [InlineData(90, 30, null, 30, 10)]
    [InlineData(30, 90, null, 30, 10)]
    [InlineData(90, 3, null, 3, 1)]
    [InlineData(90, 0, null, 0, 0)]
    [InlineData(0, 90, null, 0, 0)]
    [InlineData(90, 90, 10, 90, 10)]
    [InlineData(90, 9, 10, 9, 3)]
    public void Hold_and_keepalive(int ours, int theirs, int? keepalive, int hold, int expectedKeepalive)
    {
        var config = Config with { HoldTime = TimeSpan.FromSeconds(ours), KeepaliveTime = keepalive is { } k ? TimeSpan.FromSeconds(k) : null };

        var session = OpenNegotiation.Negotiate(config, PeerOpen(hold: (ushort)theirs)).Session!;

        Assert.Equal(TimeSpan.FromSeconds(hold), session.HoldTime);
        Assert.Equal(TimeSpan.FromSeconds(expectedKeepalive), session.KeepaliveTime);
    }

    [Fact]
    public void Graceful_restart_needs_both_sides()
    {
        var gr = new GracefulRestartCapability(0, 300, [new GracefulRestartFamily(Afi.Ipv4, Safi.Unicast, 0)]);
        var withPeer = PeerOpen(capabilities: [V4, gr]);

        Assert.False(OpenNegotiation.Negotiate(Config, withPeer).Session!.GracefulRestart);
        var both = OpenNegotiation.Negotiate(Config with { GracefulRestart = true }, withPeer).Session!;
        Assert.True(both.GracefulRestart);
        Assert.Equal(TimeSpan.FromSeconds(300), both.PeerRestartTime);
    }

    [Fact]
    public void Our_OPEN_offers_families_route_refresh_4_octet_AS_and_graceful_restart_when_asked()
    {
        var open = OpenNegotiation.BuildOpen(Config with { LocalAsn = 4_200_000_000, GracefulRestart = true, HoldTime = TimeSpan.FromSeconds(2) });

        Assert.Equal(BgpConstants.AsTrans, open.MyAs);
        Assert.Equal(4_200_000_000u, open.Asn);
        Assert.Equal(3, open.HoldTime);
        Assert.Equal(LocalId, open.BgpIdentifier);
        Assert.True(open.Has(CapabilityCode.RouteRefresh));
        var gr = Assert.Single(open.Capabilities.Items.OfType<GracefulRestartCapability>());
        Assert.Equal(120, gr.RestartTime);
        Assert.All(gr.Families, f => Assert.True(f.ForwardingPreserved));
        Assert.Equal(2, open.Capabilities.Items.OfType<MultiprotocolCapability>().Count());

        // What we send must survive our own codec.
        var decoded = BgpCodec.TryDecode(BgpCodec.Encode(open, false), new BgpDecodeContext(false));
        Assert.Equal(open, decoded.Message);
    }
}
