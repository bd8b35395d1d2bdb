using System.Net;
using IronLb.Bgp.Peering;
using IronLb.Bgp.Session;
using IronLb.Bgp.Wire;

namespace IronLb.Bgp.Tests.Peering;

/// <summary>The Adj-RIB-Out: every branch of the diff as a row, the attributes per session kind, the full table with End-of-RIB.</summary>
public sealed class AdjRibOutTests
{
    private const uint LocalAsn = 64512;

    private static readonly IPAddress NextHop4 = IPAddress.Parse("192.0.2.10");
    private static readonly IPAddress NextHop6 = IPAddress.Parse("2001:db8::10");
    private static readonly IPAddress LinkLocal = IPAddress.Parse("fe80::10");

    private static readonly OutboundRoute A = new(IPNetwork.Parse("198.51.100.1/32"));
    private static readonly OutboundRoute B = new(IPNetwork.Parse("198.51.100.2/32"));
    private static readonly OutboundRoute V6 = new(IPNetwork.Parse("2001:db8:1::1/128"));

    public static TheoryData<DiffCase> Cases { get; } =
    [
        new DiffCase("a new route is announced", [], [A], Ebgp(), Announced: [A.Prefix]),
        new DiffCase("an unchanged route is not sent again", [A], [A], Ebgp()),
        new DiffCase("a route no longer desired is withdrawn", [A, B], [A], Ebgp(), Withdrawn: [B.Prefix]),
        new DiffCase("changed communities re-announce", [A], [A with { Communities = [0xFDE8_0001] }], Ebgp(), Announced: [A.Prefix]),
        new DiffCase("changed large communities re-announce", [A], [A with { LargeCommunities = [new(64512, 1, 2)] }], Ebgp(), Announced: [A.Prefix]),
        new DiffCase("a LOCAL_PREF change is not sent to eBGP (it never reaches the wire)", [A], [A with { LocalPref = 200 }], Ebgp()),
        new DiffCase("a LOCAL_PREF change is re-announced to iBGP", [A], [A with { LocalPref = 200 }], Ibgp(), Announced: [A.Prefix]),
        new DiffCase("unset LOCAL_PREF equals 100 on iBGP, what routers assume when FRR-mode MetalLB leaves it out", [A], [A with { LocalPref = 100 }], Ibgp()),
        new DiffCase("an IPv6 route goes in MP_REACH_NLRI", [], [V6], Ebgp(), Announced: [V6.Prefix]),
        new DiffCase("an IPv6 route without an IPv6 next hop is counted, not sent", [], [V6], Ebgp() with { NextHopV6 = null }, Unsendable: 1),
        new DiffCase("an IPv4 route without an IPv4 next hop is counted, not sent", [], [A], Ebgp() with { NextHopV4 = null }, Unsendable: 1),
        new DiffCase("a family not negotiated is counted, not sent", [], [A, V6], Ebgp([BgpFamily.Ipv4Unicast]), Announced: [A.Prefix], Unsendable: 1),
        new DiffCase("a prefix listed twice keeps its first route", [], [A, A with { Communities = [1] }], Ebgp(), Announced: [A.Prefix]),
        new DiffCase("withdraw and announce in one diff", [A], [B], Ebgp(), Announced: [B.Prefix], Withdrawn: [A.Prefix]),
        new DiffCase("an IPv6 withdrawal goes in MP_UNREACH_NLRI", [V6], [], Ebgp(), Withdrawn: [V6.Prefix]),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Diff_sends_what_changed_and_only_that(DiffCase row)
    {
        var before = AdjRibOut.Empty.Diff(row.Before, row.Context).Rib;

        var change = before.Diff(row.After, row.Context);

        Assert.Equal(row.Announced ?? [], change.Updates.SelectMany(Announced).Order(PrefixOrder.Instance));
        Assert.Equal(row.Withdrawn ?? [], change.Updates.SelectMany(Withdrawn).Order(PrefixOrder.Instance));
        Assert.Equal(row.Unsendable, change.Rib.UnsendableRoutes);
        Assert.All(change.Updates, u => Assert.InRange(BgpCodec.GetEncodedLength(u, row.Context.Session.FourOctetAs), 19, 4096));
        Assert.Equal(row.After.Where(r => row.Context.CanSend(r.Prefix)).Select(r => r.Prefix).Distinct().Order(PrefixOrder.Instance), change.Rib.Sent.Keys);
    }

    public static TheoryData<string, OutboundContext, OutboundRoute, AttributeType[]> AttributeRows { get; } = new()
    {
        { "eBGP: our ASN in AS_PATH, no LOCAL_PREF", Ebgp(), A, [AttributeType.Origin, AttributeType.AsPath, AttributeType.NextHop] },
        { "iBGP: LOCAL_PREF always", Ibgp(), A, [AttributeType.Origin, AttributeType.AsPath, AttributeType.NextHop, AttributeType.LocalPref] },
        { "communities when set", Ebgp(), A with { Communities = [0xFFFF_FF02] }, [AttributeType.Origin, AttributeType.AsPath, AttributeType.NextHop, AttributeType.Communities] },
        { "large communities when set", Ibgp(), A with { LargeCommunities = [new(1, 2, 3)] }, [AttributeType.Origin, AttributeType.AsPath, AttributeType.NextHop, AttributeType.LocalPref, AttributeType.LargeCommunity] },
        { "IPv6: MP_REACH first, no NEXT_HOP", Ebgp(), V6, [AttributeType.MpReachNlri, AttributeType.Origin, AttributeType.AsPath] },
    };

    [Theory]
    [MemberData(nameof(AttributeRows))]
    public void Announcements_carry_the_attributes_of_their_session_kind(string why, OutboundContext context, OutboundRoute route, AttributeType[] expected)
    {
        var update = Assert.Single(AdjRibOut.Empty.Diff([route], context).Updates);

        Assert.True(expected.SequenceEqual(update.Attributes.Select(a => a.TypeCode)), $"{why}: {update.Attributes}");
        Assert.Equal(Origin.Igp, Assert.IsType<OriginAttribute>(update.Find(AttributeType.Origin)).Value);
        var path = Assert.IsType<AsPathAttribute>(update.Find(AttributeType.AsPath));
        Assert.Equal(context.IsInternal ? [] : [LocalAsn], path.Segments.SelectMany(s => s.Asns));
    }

    [Fact]
    public void IBGP_LOCAL_PREF_is_the_route_s_or_zero()
    {
        var updates = AdjRibOut.Empty.Diff([A, B with { LocalPref = 150 }], Ibgp()).Updates;

        Assert.Equal([100u, 150u], updates.Select(u => Assert.IsType<LocalPrefAttribute>(u.Find(AttributeType.LocalPref)).Value));
    }

    [Fact]
    public void IPv6_next_hop_carries_the_link_local_address_when_known()
    {
        var reach = (MpReachNlriAttribute)Assert.Single(AdjRibOut.Empty.Diff([V6], Ebgp()).Updates).Find(AttributeType.MpReachNlri)!;
        var withoutLinkLocal = (MpReachNlriAttribute)Assert.Single(AdjRibOut.Empty.Diff([V6], Ebgp() with { NextHopV6LinkLocal = null }).Updates).Find(AttributeType.MpReachNlri)!;

        Assert.Equal((NextHop6, LinkLocal), (reach.NextHop, reach.LinkLocalNextHop));
        Assert.Null(withoutLinkLocal.LinkLocalNextHop);
    }

    [Fact]
    public void A_thousand_host_routes_with_the_same_attributes_take_two_UPDATEs_then_End_of_RIB_per_family()
    {
        var routes = Enumerable.Range(0, 1000).Select(i => new OutboundRoute(new IPNetwork(new IPAddress([198, 51, (byte)(100 + (i >> 8)), (byte)i]), 32), Communities: [7]));

        var full = AdjRibOut.Full(routes, Ebgp());

        Assert.Equal(2, full.Updates.Count(u => !u.Nlri.IsEmpty));
        Assert.Equal(1000, full.Rib.Count(System.Net.Sockets.AddressFamily.InterNetwork));
        var endOfRib = full.Updates[^2..].Select(u => u.IsEndOfRib(out var afi, out _) ? afi : Afi.None);
        Assert.Equal([Afi.Ipv4, Afi.Ipv6], endOfRib);
    }

    [Fact]
    public void Routes_with_different_attributes_are_packed_per_attribute_set()
    {
        var routes = Enumerable.Range(0, 10).Select(i => new OutboundRoute(new IPNetwork(new IPAddress([198, 51, 100, (byte)i]), 32), Communities: [(uint)(i % 2)]));

        var updates = AdjRibOut.Empty.Diff(routes, Ebgp()).Updates;

        Assert.Equal(2, updates.Length);
        Assert.All(updates, u => Assert.Equal(5, u.Nlri.Count));
    }

    [Fact]
    public void Route_refresh_resends_only_the_family_asked_for()
    {
        var rib = AdjRibOut.Empty.Diff([A, B, V6], Ebgp()).Rib;

        Assert.Equal([A.Prefix, B.Prefix], rib.Refresh(BgpFamily.Ipv4Unicast, Ebgp()).SelectMany(Announced));
        Assert.Equal([V6.Prefix], rib.Refresh(BgpFamily.Ipv6Unicast, Ebgp()).SelectMany(Announced));
        Assert.Empty(rib.Refresh(new BgpFamily(Afi.Ipv4, Safi.Multicast), Ebgp()));
        Assert.All(rib.Refresh(BgpFamily.Ipv4Unicast, Ebgp()), u => Assert.Empty(u.Withdrawn));
    }

    internal static OutboundContext Ebgp(EquatableArray<BgpFamily>? families = null) => Context(64513, families);

    internal static OutboundContext Ibgp() => Context(LocalAsn, null);

    private static OutboundContext Context(uint peerAsn, EquatableArray<BgpFamily>? families) => new(
        LocalAsn,
        new NegotiatedSession(peerAsn, 0x0A000001, TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(30), true, families ?? [BgpFamily.Ipv4Unicast, BgpFamily.Ipv6Unicast], true, false, TimeSpan.Zero),
        NextHop4,
        NextHop6,
        LinkLocal);

    internal static IEnumerable<IPNetwork> Announced(UpdateMessage update) =>
        update.Nlri.Concat(update.Attributes.OfType<MpReachNlriAttribute>().SelectMany(r => r.Nlri));

    internal static IEnumerable<IPNetwork> Withdrawn(UpdateMessage update) =>
        update.Withdrawn.Concat(update.Attributes.OfType<MpUnreachNlriAttribute>().SelectMany(r => r.Withdrawn));

    public sealed record DiffCase(
        string Desc,
        OutboundRoute[] Before,
        OutboundRoute[] After,
        OutboundContext Context,
        IPNetwork[]? Announced = null,
        IPNetwork[]? Withdrawn = null,
        int Unsendable = 0)
    {
        public override string ToString() => Desc;
    }
}
