using System.Collections.Immutable;
using IronLb.Core.Allocation;
using IronLb.Core.Announcement;
using IronLb.Core.Configuration;
using static IronLb.Core.Tests.Configuration.Resources;

namespace IronLb.Core.Tests.Announcement;

/// <summary>
/// Which nodes announce which prefixes to which peers (metallb-bgp.md §3): one row per rule. The cluster has two
/// nodes (iris1 on rack 1, iris2 on rack 2), a dual-stack pool and three peers: tor (eBGP, IPv4), rr (iBGP, IPv4)
/// and tor6 (eBGP, IPv6). Each row gives every node's line: its decision and, when it announces, its routes.
/// </summary>
public sealed class BgpAnnouncementTests
{
    private const string V4 = "10.0.0.5";
    private const string V6 = "2001:db8::5";

    private static ClusterResources Cluster0 => Cluster(Pool("a", "10.0.0.0/24", "2001:db8::/120"), Pool("other", "10.9.0.0/24"))
        .WithNodes(Node("iris1", "rack=1"), Node("iris2", "rack=2"))
        .With(Peer("tor"), Peer("rr", 64500, 64500, "192.0.2.2"), Peer("tor6", address: "2001:db8:ffff::1"));

    private static ClusterResources WithAd => Cluster0.With(BgpAd("ad"));

    public sealed record AnnounceCase(
        string Desc,
        ClusterResources Resources,
        string[] Expected,
        bool Local = false,
        (string Node, bool? Ready, bool? Serving)[]? Endpoints = null,
        string[]? Ips = null,
        string[]? ServiceLabels = null,
        bool IgnoreExclude = false)
    {
        public override string ToString() => Desc;
    }

    private static readonly (string, bool?, bool?)[] OnIris1 = [("iris1", true, null)];

    public static TheoryData<AnnounceCase> Cases =>
    [
        new AnnounceCase("ETP Cluster: every eligible node announces, each prefix to every session of its family", WithAd,
            ["iris1: announce 10.0.0.5/32 to rr; 10.0.0.5/32 to tor", "iris2: announce 10.0.0.5/32 to rr; 10.0.0.5/32 to tor"]),
        new AnnounceCase("ETP Local: only the node with a ready endpoint", WithAd,
            ["iris1: announce 10.0.0.5/32 to rr; 10.0.0.5/32 to tor", "iris2: noLocalEndpoints"], Local: true),
        new AnnounceCase("ETP Local: a serving, terminating endpoint keeps its node announcing", WithAd,
            ["iris1: noLocalEndpoints", "iris2: announce 10.0.0.5/32 to rr; 10.0.0.5/32 to tor"], Local: true, Endpoints: [("iris1", false, false), ("iris2", false, true)]),
        new AnnounceCase("ETP Local: an endpoint with readiness unset counts as ready", WithAd,
            ["iris1: noLocalEndpoints", "iris2: announce 10.0.0.5/32 to rr; 10.0.0.5/32 to tor"], Local: true, Endpoints: [("iris2", null, null)]),
        new AnnounceCase("no endpoint can serve: nobody announces", WithAd,
            ["iris1: noEndpoints", "iris2: noEndpoints"], Endpoints: [("iris1", false, false)]),
        new AnnounceCase("no endpoints at all: nobody announces", WithAd, ["iris1: noEndpoints", "iris2: noEndpoints"], Endpoints: []),
        new AnnounceCase("a node labelled exclude-from-external-load-balancers never announces",
            WithAd with { Nodes = [Node("iris1", "rack=1"), Node("iris2", "rack=2", $"{L2Election.ExcludeFromLoadBalancersLabel}=")] },
            ["iris1: announce 10.0.0.5/32 to rr; 10.0.0.5/32 to tor", "iris2: nodeLabeledExcludeBalancers"]),
        new AnnounceCase("--ignore-exclude-lb lets the labelled node announce",
            WithAd with { Nodes = [Node("iris1", "rack=1"), Node("iris2", "rack=2", $"{L2Election.ExcludeFromLoadBalancersLabel}=")] },
            ["iris1: announce 10.0.0.5/32 to rr; 10.0.0.5/32 to tor", "iris2: announce 10.0.0.5/32 to rr; 10.0.0.5/32 to tor"], IgnoreExclude: true),
        new AnnounceCase("a node whose network is unavailable never announces",
            WithAd with { Nodes = [Node("iris1", "rack=1"), new NodeResource("iris2", Labels("rack=2"), NetworkUnavailable: true)] },
            ["iris1: announce 10.0.0.5/32 to rr; 10.0.0.5/32 to tor", "iris2: nodeNetworkUnavailable"]),
        new AnnounceCase("no advertisement at all: nothing is announced", Cluster0, ["iris1: notOwner", "iris2: notOwner"]),
        new AnnounceCase("an advertisement of another pool only: nothing is announced", Cluster0.With(BgpAd("ad") with { IpAddressPools = ["other"] }),
            ["iris1: notOwner", "iris2: notOwner"]),
        new AnnounceCase("the advertisement's nodeSelectors leave a node out", Cluster0.With(BgpAd("ad") with { NodeSelectors = [Match("rack=1")] }),
            ["iris1: announce 10.0.0.5/32 to rr; 10.0.0.5/32 to tor", "iris2: notOwner"]),
        new AnnounceCase("the advertisement's serviceSelectors do not match the Service", Cluster0.With(BgpAd("ad") with { ServiceSelectors = [Match("app=web")] }),
            ["iris1: noMatchingAdvertisement", "iris2: noMatchingAdvertisement"], ServiceLabels: ["app=db"]),
        new AnnounceCase("the advertisement's serviceSelectors match the Service", Cluster0.With(BgpAd("ad") with { ServiceSelectors = [Match("app=web")] }),
            ["iris1: announce 10.0.0.5/32 to rr; 10.0.0.5/32 to tor", "iris2: announce 10.0.0.5/32 to rr; 10.0.0.5/32 to tor"], ServiceLabels: ["app=web"]),
        new AnnounceCase("a peer's nodeSelectors decide where its session runs",
            Cluster(Pool("a", "10.0.0.0/24")).WithNodes(Node("iris1", "rack=1"), Node("iris2", "rack=2"))
                .With(Peer("tor") with { NodeSelectors = [Match("rack=1")] }).With(BgpAd("ad")),
            ["iris1: announce 10.0.0.5/32 to tor", "iris2: noPeers"]),
        new AnnounceCase("the advertisement's peers list picks the sessions", Cluster0.With(BgpAd("ad") with { Peers = ["rr"] }),
            ["iris1: announce 10.0.0.5/32 to rr", "iris2: announce 10.0.0.5/32 to rr"]),
        new AnnounceCase("a peers list naming no existing peer sends nothing", Cluster0.With(BgpAd("ad") with { Peers = ["gone"] }),
            ["iris1: noPeers", "iris2: noPeers"]),
        new AnnounceCase("aggregationLength rolls the address up to its /24", Cluster0.With(BgpAd("ad") with { AggregationLength = 24, Peers = ["tor"] }),
            ["iris1: announce 10.0.0.0/24 to tor", "iris2: announce 10.0.0.0/24 to tor"]),
        new AnnounceCase("LOCAL_PREF goes to iBGP peers only", Cluster0.With(BgpAd("ad") with { LocalPref = 150 }),
            ["iris1: announce 10.0.0.5/32 to rr (localPref 150); 10.0.0.5/32 to tor", "iris2: announce 10.0.0.5/32 to rr (localPref 150); 10.0.0.5/32 to tor"]),
        new AnnounceCase("standard and large communities, sorted",
            Cluster0.With(Aliases("c", ("no-advertise", "65535:65282"))).With(BgpAd("ad") with { Peers = ["tor"], Communities = ["large:64500:0:7", "no-advertise", "64500:10"] }),
            ["iris1: announce 10.0.0.5/32 to tor (64500:10, 65535:65282, large:64500:0:7)", "iris2: announce 10.0.0.5/32 to tor (64500:10, 65535:65282, large:64500:0:7)"]),
        new AnnounceCase("two advertisements giving the same prefix: one route, communities unioned",
            Cluster0.With(BgpAd("ad1") with { Peers = ["tor"], Communities = ["1:1"] }, BgpAd("ad2") with { Peers = ["tor"], Communities = ["2:2", "1:1"] }),
            ["iris1: announce 10.0.0.5/32 to tor (1:1, 2:2)", "iris2: announce 10.0.0.5/32 to tor (1:1, 2:2)"]),
        // The pool is dual-stack, so both lengths must differ for the two LOCAL_PREFs to pass validation (MetalLB #2345).
        new AnnounceCase("two advertisements with different lengths: a host route and an aggregate, each with its own attributes",
            Cluster0.With(BgpAd("host") with { Peers = ["rr"], LocalPref = 200, Communities = ["65535:65282"] }, BgpAd("agg") with { Peers = ["rr"], AggregationLength = 24, AggregationLengthV6 = 120 }),
            ["iris1: announce 10.0.0.0/24 to rr; 10.0.0.5/32 to rr (localPref 200, 65535:65282)", "iris2: announce 10.0.0.0/24 to rr; 10.0.0.5/32 to rr (localPref 200, 65535:65282)"]),
        new AnnounceCase("dual-stack Service: each family to the sessions of that family", WithAd,
            ["iris1: announce 10.0.0.5/32 to rr; 10.0.0.5/32 to tor; 2001:db8::5/128 to tor6", "iris2: announce 10.0.0.5/32 to rr; 10.0.0.5/32 to tor; 2001:db8::5/128 to tor6"],
            Ips: [V4, V6]),
        new AnnounceCase("dualStackAddressFamily: a session carries both families",
            Cluster(Pool("a", "10.0.0.0/24", "2001:db8::/120")).WithNodes(Node("iris1")).With(Peer("tor") with { DualStackAddressFamily = true }).With(BgpAd("ad") with { AggregationLengthV6 = 120 }),
            ["iris1: announce 10.0.0.5/32 to tor; 2001:db8::/120 to tor"], Ips: [V4, V6]),
        new AnnounceCase("IPv6 only Service and IPv4 sessions only: nothing to send",
            Cluster(Pool("a", "2001:db8::/120")).WithNodes(Node("iris1")).With(Peer("tor")).With(BgpAd("ad")),
            ["iris1: noPeers"], Ips: [V6]),
        new AnnounceCase("advertisements selecting the Service disagree on LOCAL_PREF for one route",
            Cluster0.With(BgpAd("ad1") with { Peers = ["rr"], LocalPref = 100, ServiceSelectors = [Match("app=web")] }, BgpAd("ad2") with { Peers = ["rr"], LocalPref = 200 }),
            ["iris1: conflictingAdvertisements", "iris2: conflictingAdvertisements"], ServiceLabels: ["app=web"]),
        new AnnounceCase("a LOCAL_PREF disagreement toward an eBGP peer only is no conflict: it is not sent",
            Cluster0.With(BgpAd("ad1") with { Peers = ["tor"], LocalPref = 100, ServiceSelectors = [Match("app=web")] }, BgpAd("ad2") with { Peers = ["tor"], LocalPref = 200 }),
            ["iris1: announce 10.0.0.5/32 to tor", "iris2: announce 10.0.0.5/32 to tor"], ServiceLabels: ["app=web"]),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_node_decides_as_MetalLB(AnnounceCase c)
    {
        var result = ConfigParser.Parse(c.Resources);
        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        var service = Service(c.Ips ?? [V4], c.Local, c.ServiceLabels ?? []);
        var endpoints = new ServiceEndpoints([.. (c.Endpoints ?? OnIris1).Select(e => new EndpointView(e.Node, e.Ready, e.Serving))]);

        var announcement = BgpAnnouncement.Decide(service, result.Config!, endpoints, c.IgnoreExclude);
        Assert.Equal(BgpAnnounceDecision.Announce, announcement.Decision);
        Assert.Equal("a", announcement.Pool);
        Assert.Equal(c.Expected, announcement.Nodes.Select(Line));

        // Each speaker computing only its own node gets the same answer.
        foreach (var node in announcement.Nodes)
        {
            Assert.Equal(node, BgpAnnouncement.DecideForNode(node.Node, service, result.Config!, endpoints, c.IgnoreExclude));
        }
    }

    public static TheoryData<string, string[], string> ServiceRows => new()
    {
        { "ClusterIP", [V4], "notLoadBalancer" },
        { "LoadBalancer", [], "noIPAllocated" },
        { "LoadBalancer", [""], "noIPAllocated" },
        { "LoadBalancer", ["10.0.0.300"], "invalidIP" },
        { "LoadBalancer", ["192.0.2.77"], "ipNotAllowed" },
        { "LoadBalancer", [V4, "10.9.0.1"], "ipNotAllowed" },
    };

    [Theory]
    [MemberData(nameof(ServiceRows))]
    public void The_Service_level_checks_come_first(string type, string[] ips, string expected)
    {
        var config = ConfigParser.Parse(WithAd).Config!;
        var service = Service(ips, false, []) with { Type = type };
        var announcement = BgpAnnouncement.Decide(service, config, new ServiceEndpoints([new EndpointView("iris1", true)]));
        Assert.Equal(expected, announcement.Decision.ToWire());
        Assert.Empty(announcement.Nodes);
        Assert.Equal(expected, BgpAnnouncement.DecideForNode("iris1", service, config, ServiceEndpoints.None).Decision.ToWire());
    }

    [Fact]
    public void A_node_without_a_Node_object_has_no_labels_so_only_unrestricted_peers_and_advertisements_apply()
    {
        var config = ConfigParser.Parse(Cluster0.With(BgpAd("ad"))).Config!;
        var decision = BgpAnnouncement.DecideForNode("ghost", Service([V4], false, []), config, new ServiceEndpoints([new EndpointView("iris1", true)]));
        Assert.Equal(BgpAnnounceDecision.Announce, decision.Decision);
        Assert.Equal(["10.0.0.5/32 to rr", "10.0.0.5/32 to tor"], decision.Routes.Select(r => r.ToString()));
    }

    private static string Line(NodeBgpAnnouncement node) =>
        node.Decision == BgpAnnounceDecision.Announce
            ? $"{node.Node}: announce {string.Join("; ", node.Routes)}"
            : $"{node.Node}: {node.Decision.ToWire()}";

    internal static ServiceView Service(string[] ips, bool local, string[] labels) => new()
    {
        Key = new ServiceKey("default", "svc"),
        IngressIps = [.. ips],
        ExternalTrafficPolicyLocal = local,
        Labels = labels.Length == 0 ? ImmutableDictionary<string, string>.Empty : Labels(labels),
    };
}
