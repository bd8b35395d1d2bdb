using System.Collections.Immutable;
using IronLb.Core.Allocation;
using IronLb.Core.Announcement;
using IronLb.Core.Configuration;
using IronLb.Core.Planning;

namespace IronLb.Core.Tests.Planning;

/// <summary>
/// What `plan` shows of BGP mode: per Service, every candidate node's own decision (the call each speaker makes for
/// its node), with routes, LOCAL_PREF and communities, or MetalLB's reason; nothing at all without BGPAdvertisements.
/// </summary>
public sealed class ClusterPlannerBgpTests
{
    private const string Ns = "metallb-system";
    private static readonly ImmutableDictionary<string, string> NoLabels = ImmutableDictionary<string, string>.Empty;

    private static IpAddressPoolResource Pool(string name, string cidr) =>
        new() { Ref = new ObjectRef("IPAddressPool", Ns, name), Addresses = [cidr] };

    private static BgpPeerResource Peer(string name, long peerAsn = 64500, string? vrf = null) =>
        new() { Ref = new ObjectRef("BGPPeer", Ns, name), MyAsn = 64500, PeerAsn = peerAsn, PeerAddress = "192.0.2.1", Vrf = vrf };

    private static BgpAdvertisementResource Ad(string pool) => new()
    {
        Ref = new ObjectRef("BGPAdvertisement", Ns, "ad-" + pool),
        IpAddressPools = [pool],
        LocalPref = 200,
        Communities = ["65535:65282", "large:64500:1:2"],
    };

    private static ServiceView Service(string name, string pool, bool local = false) => new()
    {
        Key = new ServiceKey("shop", name),
        ClusterIps = ["10.96.0.1"],
        Annotations = NoLabels.Add(ServiceAnnotations.AddressPool, pool),
        ExternalTrafficPolicyLocal = local,
    };

    private static PlanInput Input(ClusterResources resources, params ServiceView[] services) => new()
    {
        Resources = resources with { Nodes = [new NodeResource("n1", NoLabels), new NodeResource("n2", NoLabels)] },
        Services = [.. services],
    };

    private static ClusterResources Bgp(string? vrf = null) => new()
    {
        Pools = [Pool("bgp", "198.51.100.0/28"), Pool("l2", "203.0.113.0/28")],
        BgpPeers = [Peer("tor", vrf: vrf)],
        BgpAdvertisements = [Ad("bgp")],
    };

    public sealed record BgpRow(string Desc, PlanInput Input, string Expected)
    {
        public override string ToString() => Desc;
    }

    public static TheoryData<BgpRow> Rows =>
    [
        new BgpRow("iBGP peer: every node sends the /32 with LOCAL_PREF and communities", Input(Bgp(), Service("web", "bgp")),
            "announce | n1: 198.51.100.0/32 to tor (localPref 200, 65535:65282, large:64500:1:2) | n2: 198.51.100.0/32 to tor (localPref 200, 65535:65282, large:64500:1:2)"),
        new BgpRow("eBGP peer: no LOCAL_PREF", Input(Bgp() with { BgpPeers = [Peer("tor", 64501)] }, Service("web", "bgp")),
            "announce | n1: 198.51.100.0/32 to tor (65535:65282, large:64500:1:2) | n2: 198.51.100.0/32 to tor (65535:65282, large:64500:1:2)"),
        new BgpRow("a pool without a BGPAdvertisement: notOwner on every node", Input(Bgp(), Service("web", "l2")),
            "announce | n1: notOwner | n2: notOwner"),
        new BgpRow("externalTrafficPolicy Local with an endpoint on n2 only",
            Input(Bgp(), Service("web", "bgp", local: true)) with
            {
                Endpoints = ImmutableDictionary<ServiceKey, ServiceEndpoints>.Empty.Add(new ServiceKey("shop", "web"), new ServiceEndpoints([new EndpointView("n2", Ready: true)])),
            },
            "announce | n1: noLocalEndpoints | n2: 198.51.100.0/32 to tor (localPref 200, 65535:65282, large:64500:1:2)"),
        new BgpRow("the only peer dropped (vrf): noPeers", Input(Bgp(vrf: "red"), Service("web", "bgp")), "announce | n1: noPeers | n2: noPeers"),
        new BgpRow("no address: the Service-level reason", Input(Bgp(), Service("web", "missing")), "noIPAllocated"),
    ];

    [Theory]
    [MemberData(nameof(Rows))]
    public void Plan_shows_each_node_s_bgp_decision(BgpRow row)
    {
        var service = Assert.Single(ClusterPlanner.Plan(row.Input).Services);
        Assert.Equal(row.Expected, Describe(service.Bgp!));
    }

    [Fact]
    public void Without_bgp_advertisements_the_plan_has_no_bgp_part()
    {
        var input = Input(new ClusterResources { Pools = [Pool("l2", "203.0.113.0/28")], BgpPeers = [Peer("tor")] }, Service("web", "l2"));
        Assert.Null(Assert.Single(ClusterPlanner.Plan(input).Services).Bgp);
    }

    [Fact]
    public void Each_node_s_part_is_what_that_node_s_speaker_computes()
    {
        var input = Input(Bgp(), Service("web", "bgp", local: true)) with { CandidateNodes = ["n2", "n1", "n3"] };
        var plan = ClusterPlanner.Plan(input);
        var planned = Assert.Single(plan.Services);
        var config = ConfigParser.Parse(input.Resources).Config!;
        var written = Service("web", "bgp", local: true) with { IngressIps = planned.Ips };
        var everywhere = new ServiceEndpoints([.. new[] { "n1", "n2", "n3" }.Select(n => new EndpointView(n, Ready: true))]);

        Assert.Equal(["n1", "n2", "n3"], planned.Bgp!.Nodes.Select(n => n.Node));
        Assert.All(planned.Bgp.Nodes, n => Assert.Equal(BgpAnnouncement.DecideForNode(n.Node, written, config, everywhere), n));
    }

    private static string Describe(BgpServiceAnnouncement bgp) =>
        bgp.Decision != BgpAnnounceDecision.Announce
            ? bgp.Decision.ToWire()
            : string.Join(" | ", ["announce", .. bgp.Nodes.Select(n => $"{n.Node}: {(n.Decision == BgpAnnounceDecision.Announce ? string.Join(", ", n.Routes) : n.Decision.ToWire())}")]);
}
