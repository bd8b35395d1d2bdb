using IronLb.Core.Configuration;
using static IronLb.Core.Tests.Configuration.Resources;

namespace IronLb.Core.Tests.Configuration;

/// <summary>
/// BGP mode's parse-time rules (metallb-bgp.md §2): one row per message, with its exact text and the object it
/// names. Errors reject the whole configuration; warnings load it and are only reported.
/// </summary>
public sealed class BgpValidationTests
{
    private const string Q = "\"metallb-system\"/\"p\"";
    private const string VrfDropped = "IronLB's native BGP does not implement vrf (\"red\"); this peer opens no session: IronLB peers from the default VRF only; remove vrf to peer from there";

    public sealed record BgpCase(string Desc, ClusterResources Resources, (string Object, string Message)[] Errors, (string Object, string Message)[]? Warnings = null)
    {
        public override string ToString() => Desc;
    }

    private static ClusterResources Base => Cluster(Pool("a", "10.0.0.0/24"));

    private static ClusterResources OnePeer(BgpPeerResource peer) => Base.With(peer);

    private static ClusterResources OneAd(BgpAdvertisementResource ad) => Base.With(Peer("p")).With(ad);

    public static TheoryData<BgpCase> Cases =>
    [
        // Valid peers.
        new BgpCase("eBGP peer with defaults", OnePeer(Peer("p")), []),
        new BgpCase("iBGP peer", OnePeer(Peer("p", 64500, 64500)), []),
        new BgpCase("dynamicASN external", OnePeer(Peer("p", peerAsn: 0) with { DynamicAsn = "external" }), []),
        new BgpCase("IPv6 peer with source, router ID, port and timers",
            OnePeer(Peer("p", address: "2001:db8::1") with { SourceAddress = "2001:db8::2", RouterId = "192.0.2.9", PeerPort = 1179, HoldTime = "90s", KeepaliveTime = "30s", ConnectTime = "5s" }), []),
        new BgpCase("hold time 0 turns keepalives off", OnePeer(Peer("p") with { HoldTime = "0s" }), []),
        new BgpCase("keepalive equal to hold", OnePeer(Peer("p") with { HoldTime = "9s", KeepaliveTime = "9s" }), []),
        new BgpCase("password alone", OnePeer(Peer("p") with { Password = "s3cret" }), []),
        new BgpCase("password secret alone", OnePeer(Peer("p") with { PasswordSecret = new SecretReferenceSpec("bgp-auth") }), []),

        // Peer rules.
        new BgpCase("myASN missing", OnePeer(Peer("p", myAsn: 0)), [("p", "missing local ASN")]),
        new BgpCase("myASN above 32 bits", OnePeer(Peer("p", myAsn: 4294967296)), [("p", "invalid myASN 4294967296: must be between 0 and 4294967295")]),
        new BgpCase("peerASN negative", OnePeer(Peer("p", peerAsn: -1)), [("p", "invalid peerASN -1: must be between 0 and 4294967295")]),
        new BgpCase("neither peerASN nor dynamicASN", OnePeer(Peer("p", peerAsn: 0)), [("p", "missing peer ASN and dynamicASN")]),
        new BgpCase("both peerASN and dynamicASN", OnePeer(Peer("p") with { DynamicAsn = "internal" }), [("p", "both peer ASN and dynamicASN specified")]),
        new BgpCase("unknown dynamicASN", OnePeer(Peer("p", peerAsn: 0) with { DynamicAsn = "sideways" }), [("p", "invalid dynamicASN sideways: must be internal or external")]),
        new BgpCase("ebgpMultiHop on an iBGP peer", OnePeer(Peer("p", 64500, 64500) with { EbgpMultiHop = true }), [("p", "invalid ebgp-multihop parameter set for an ibgp peer")]),
        new BgpCase("ebgpMultiHop on a dynamic internal peer", OnePeer(Peer("p", peerAsn: 0) with { DynamicAsn = "internal", EbgpMultiHop = true }),
            [("p", "invalid ebgp-multihop parameter set for an ibgp peer")]),
        new BgpCase("ebgpMultiHop on an eBGP peer is fine", OnePeer(Peer("p") with { EbgpMultiHop = true }), []),
        new BgpCase("no address", OnePeer(Peer("p", address: null)), [("p", "peer has no Address or Interface specified")]),
        new BgpCase("address and interface", OnePeer(Peer("p") with { Interface = "eth0" }), [("p", "peer has both Address and Interface specified")]),
        new BgpCase("bad address", OnePeer(Peer("p", address: "192.0.2.300")), [("p", "invalid BGPPeer address \"192.0.2.300\"")]),
        new BgpCase("zoned address", OnePeer(Peer("p", address: "fe80::1%eth0")), [("p", "invalid BGPPeer address \"fe80::1%eth0\"")]),
        new BgpCase("port 0", OnePeer(Peer("p") with { PeerPort = 0 }), [("p", "invalid peerPort 0: must be between 1 and 16384")]),
        new BgpCase("port above the CRD maximum", OnePeer(Peer("p") with { PeerPort = 16385 }), [("p", "invalid peerPort 16385: must be between 1 and 16384")]),
        new BgpCase("bad source address", OnePeer(Peer("p") with { SourceAddress = "nope" }), [("p", "invalid source IP \"nope\"")]),
        new BgpCase("bad router ID", OnePeer(Peer("p") with { RouterId = "x" }), [("p", "invalid router ID \"x\"")]),
        new BgpCase("IPv6 router ID", OnePeer(Peer("p") with { RouterId = "2001:db8::1" }),
            [("p", "invalid router ID \"2001:db8::1\": a BGP identifier is four bytes, so it must be an IPv4 address")]),
        new BgpCase("hold time not a duration", OnePeer(Peer("p") with { HoldTime = "90" }),
            [("p", "invalid BGPPeer timers: invalid holdTime \"90\": not a duration (write it as 90s, 1m30s, 500ms)")]),
        new BgpCase("keepalive not a duration", OnePeer(Peer("p") with { KeepaliveTime = "often" }),
            [("p", "invalid BGPPeer timers: invalid keepaliveTime \"often\": not a duration (write it as 90s, 1m30s, 500ms)")]),
        new BgpCase("hold time under 3s", OnePeer(Peer("p") with { HoldTime = "2s" }), [("p", "invalid BGPPeer timers: invalid hold time \"2s\": must be 0 or >=3s")]),
        new BgpCase("hold time 2.9s truncates to 2s", OnePeer(Peer("p") with { HoldTime = "2900ms" }), [("p", "invalid BGPPeer timers: invalid hold time \"2900ms\": must be 0 or >=3s")]),
        new BgpCase("keepalive alone derives a hold time under 3s", OnePeer(Peer("p") with { KeepaliveTime = "500ms" }),
            [("p", "invalid BGPPeer timers: invalid hold time \"1.5s\": must be 0 or >=3s")]),
        new BgpCase("hold time over 16 bits", OnePeer(Peer("p") with { HoldTime = "65536s" }),
            [("p", "invalid BGPPeer timers: invalid hold time \"65536s\": must be at most 65535s, the most a BGP OPEN message can carry")]),
        new BgpCase("keepalive above hold", OnePeer(Peer("p") with { HoldTime = "30s", KeepaliveTime = "1m" }),
            [("p", "invalid BGPPeer timers: invalid keepaliveTime \"1m\", must be lower than holdTime \"30s\"")]),
        new BgpCase("connect time not a duration", OnePeer(Peer("p") with { ConnectTime = "soon" }),
            [("p", "invalid connectTime \"soon\": not a duration (write it as 90s, 1m30s, 500ms)")]),
        new BgpCase("connect time 0", OnePeer(Peer("p") with { ConnectTime = "0s" }), [("p", "connect time should be between 1 seconds to 65535")]),
        new BgpCase("connect time over 65535s", OnePeer(Peer("p") with { ConnectTime = "18h13m" }), [("p", "connect time should be between 1 seconds to 65535")]),
        new BgpCase("connect time with a fraction", OnePeer(Peer("p") with { ConnectTime = "1500ms" }), [("p", "connect time should contain a whole number of seconds")]),
        new BgpCase("duplicate nodeSelectors", OnePeer(Peer("p") with { NodeSelectors = [Match("k=v"), Match("k=v")] }), [("p", "duplicate definition of nodeSelectors: \"k=v\"")]),
        new BgpCase("password and secret", OnePeer(Peer("p") with { Password = "x", PasswordSecret = new SecretReferenceSpec("bgp-auth") }),
            [("p", $"can not have both password and secret ref set in peer config {Q}")]),
        new BgpCase("password with a newline", OnePeer(Peer("p") with { Password = "x\ny" }), [("p", $"password for peer {Q} contains invalid characters")]),
        new BgpCase("duplicate BGPPeer name", Base.With(Peer("p"), Peer("p", address: "192.0.2.2")), [("p", "duplicate definition of BGPPeer \"p\"")]),
        new BgpCase("two peers, one session, every node", Base.With(Peer("p"), Peer("q")),
            [("q", "peer 192.0.2.1 already exists: BGPPeer \"p\" opens the same session (port 179) from every node; give the two peers disjoint nodeSelectors or merge them")]),
        new BgpCase("two peers, one session, a shared node",
            Base.With(Peer("p") with { NodeSelectors = [Match("rack=1")] }, Peer("q") with { NodeSelectors = [Match("zone=a")] })
                .WithNodes(Node("n2", "rack=1", "zone=a"), Node("n1", "rack=1", "zone=a")),
            [("q", "peer 192.0.2.1 already exists: BGPPeer \"p\" opens the same session (port 179) from node \"n1\"; give the two peers disjoint nodeSelectors or merge them")]),
        new BgpCase("same address from disjoint nodes",
            Base.With(Peer("p") with { NodeSelectors = [Match("rack=1")] }, Peer("q") with { NodeSelectors = [Match("rack=2")] })
                .WithNodes(Node("n1", "rack=1"), Node("n2", "rack=2")), []),
        new BgpCase("same address, other port", Base.With(Peer("p"), Peer("q") with { PeerPort = 1179 }), []),
        new BgpCase("same address, other source", Base.With(Peer("p"), Peer("q") with { SourceAddress = "192.0.2.10" }), []),
        new BgpCase("peer outside the MetalLB namespace", OnePeer(Peer("p") with { Ref = new ObjectRef("BGPPeer", "default", "p") }),
            [("p", "resource must be created in metallb-system namespace, not \"default\"")]),

        // Community objects.
        new BgpCase("aliases for standard and large communities",
            OneAd(BgpAd("ad") with { Communities = ["no-advertise", "mine"] }).With(Aliases("c", ("no-advertise", "65535:65282"), ("mine", "large:64500:1:2"))), []),
        new BgpCase("alias value out of range", Base.With(Aliases("c", ("big", "65536:1"))),
            [("c", "parsing community \"big\": invalid community value: invalid section \"65536\" of community \"65536:1\": value out of range (0-65535)")]),
        new BgpCase("alias with a bad large marker", Base.With(Aliases("c", ("m", "x:1:2:3"))),
            [("c", "parsing community \"m\": invalid community value: invalid marker for large community, expected community to be of format large:<uint32>:<uint32>:<uint32> but got \"x:1:2:3\" instead")]),
        new BgpCase("alias of neither shape", Base.With(Aliases("c", ("f", "1:2:3"))), [("c", "parsing community \"f\": invalid community format: 1:2:3")]),
        new BgpCase("alias defined twice across objects", Base.With(Aliases("c1", ("na", "65535:65282")), Aliases("c2", ("na", "65535:65281"))),
            [("c2", "duplicate definition of community \"na\"")]),
        new BgpCase("alias without a name", Base.With(Aliases("c", ("", "1:1"))), [("c", "community alias #1 has no name")]),

        // BGPAdvertisement rules.
        new BgpCase("advertisement with everything", OneAd(BgpAd("ad") with
        {
            IpAddressPools = ["a"], Peers = ["p"], AggregationLength = 24, AggregationLengthV6 = 64, LocalPref = 100,
            Communities = ["65535:65282", "large:1:2:3"], NodeSelectors = [Match("rack=1")],
        }), [], [("ad", "localPref 100 has no effect: LOCAL_PREF goes to iBGP peers only (myASN equal to peerASN, or dynamicASN internal), and none of the peers this advertisement reaches is one")]),
        new BgpCase("duplicate BGPAdvertisement name", OneAd(BgpAd("ad")).With(BgpAd("ad")), [("ad", "duplicate definition of BGPAdvertisement \"ad\"")]),
        new BgpCase("duplicate ipAddressPools", OneAd(BgpAd("ad") with { IpAddressPools = ["a", "a"] }), [("ad", "duplicate definition of ipAddressPools \"a\"")]),
        new BgpCase("duplicate communities", OneAd(BgpAd("ad") with { Communities = ["1:1", "1:1"] }), [("ad", "duplicate definition of community \"1:1\"")]),
        new BgpCase("duplicate peers", OneAd(BgpAd("ad") with { Peers = ["p", "p"] }), [("ad", "duplicate definition of peers \"p\"")]),
        new BgpCase("duplicate ipAddressPoolSelectors", OneAd(BgpAd("ad") with { IpAddressPoolSelectors = [Match("k=v"), Match("k=v")] }),
            [("ad", "duplicate definition of ipAddressPoolSelectors: \"k=v\"")]),
        new BgpCase("duplicate nodeSelectors", OneAd(BgpAd("ad") with { NodeSelectors = [Match("k=v"), Match("k=v")] }), [("ad", "duplicate definition of nodeSelectors: \"k=v\"")]),
        new BgpCase("duplicate serviceSelectors", OneAd(BgpAd("ad") with { ServiceSelectors = [Match("k=v"), Match("k=v")] }), [("ad", "duplicate definition of serviceSelectors: \"k=v\"")]),
        new BgpCase("aggregation length 33", OneAd(BgpAd("ad") with { AggregationLength = 33 }), [("ad", "invalid aggregation length 33 for IPv4: must be between 1 and 32")]),
        new BgpCase("aggregation length 0", OneAd(BgpAd("ad") with { AggregationLength = 0 }), [("ad", "invalid aggregation length 0 for IPv4: must be between 1 and 32")]),
        new BgpCase("IPv6 aggregation length 129", OneAd(BgpAd("ad") with { AggregationLengthV6 = 129 }), [("ad", "invalid aggregation length 129 for IPv6: must be between 0 and 128")]),
        new BgpCase("serviceSelectors with aggregationLength", OneAd(BgpAd("ad") with { ServiceSelectors = [Match("app=x")], AggregationLength = 24 }),
            [("ad", "serviceSelectors and aggregationLength are mutually exclusive, both cannot be set in ad")]),
        new BgpCase("serviceSelectors with aggregationLengthV6", OneAd(BgpAd("ad") with { ServiceSelectors = [Match("app=x")], AggregationLengthV6 = 64 }),
            [("ad", "serviceSelectors and aggregationLengthV6 are mutually exclusive, both cannot be set in ad")]),
        new BgpCase("serviceSelectors with the default lengths written out", OneAd(BgpAd("ad") with { ServiceSelectors = [Match("app=x")], AggregationLength = 32, AggregationLengthV6 = 128 }), []),
        new BgpCase("localPref negative", OneAd(BgpAd("ad") with { LocalPref = -1 }), [("ad", "invalid localPref -1: must be between 0 and 4294967295")]),
        new BgpCase("community half out of range", OneAd(BgpAd("ad") with { Communities = ["70000:1"] }),
            [("ad", "invalid community \"70000:1\" in BGP advertisement: invalid community value: invalid section \"70000\" of community \"70000:1\": value out of range (0-65535)")]),
        new BgpCase("community half not a number", OneAd(BgpAd("ad") with { Communities = ["a:1"] }),
            [("ad", "invalid community \"a:1\" in BGP advertisement: invalid community value: invalid section \"a\" of community \"a:1\": not a decimal number")]),
        new BgpCase("signed community half", OneAd(BgpAd("ad") with { Communities = ["+1:1"] }),
            [("ad", "invalid community \"+1:1\" in BGP advertisement: invalid community value: invalid section \"+1\" of community \"+1:1\": not a decimal number")]),
        new BgpCase("large community part out of range", OneAd(BgpAd("ad") with { Communities = ["large:1:2:4294967296"] }),
            [("ad", "invalid community \"large:1:2:4294967296\" in BGP advertisement: invalid community value: invalid section \"4294967296\" of community \"large:1:2:4294967296\": value out of range (0-4294967295)")]),
        new BgpCase("large community with a bad marker", OneAd(BgpAd("ad") with { Communities = ["big:1:2:3"] }),
            [("ad", "invalid community \"big:1:2:3\" in BGP advertisement: invalid community value: invalid marker for large community, expected community to be of format large:<uint32>:<uint32>:<uint32> but got \"big:1:2:3\" instead")]),
        new BgpCase("missing Community alias", OneAd(BgpAd("ad") with { Communities = ["no-export"] }),
            [("ad", "invalid community \"no-export\" in BGP advertisement: invalid community format: no-export: it is neither A:B nor large:G:L1:L2, and no Community object names it (there are no Community aliases)")]),
        new BgpCase("missing alias names the existing ones", OneAd(BgpAd("ad") with { Communities = ["no-export"] }).With(Aliases("c", ("no-advertise", "65535:65282"))),
            [("ad", "invalid community \"no-export\" in BGP advertisement: invalid community format: no-export: it is neither A:B nor large:G:L1:L2, and no Community object names it (the Community aliases are no-advertise)")]),
        new BgpCase("alias from an invalid Community object", OneAd(BgpAd("ad") with { Communities = ["big"] }).With(Aliases("c", ("big", "65536:1"))),
            [("c", "parsing community \"big\": invalid community value: invalid section \"65536\" of community \"65536:1\": value out of range (0-65535)"),
             ("ad", "invalid community \"big\" in BGP advertisement: the Community alias \"big\" is invalid (see its errors)")]),
        new BgpCase("aggregation shorter than the pool's prefix", OneAd(BgpAd("ad") with { AggregationLength = 16 }),
            [("ad", "invalid aggregation length 16: prefix 24 in this pool is more specific than the aggregation length for addresses 10.0.0.0/24 (pool \"a\")")]),
        new BgpCase("aggregation equal to the pool's prefix is fine", OneAd(BgpAd("ad") with { AggregationLength = 24 }), []),
        new BgpCase("a range's shortest prefix counts",
            Cluster(Pool("r", "10.0.1.130-10.0.1.150")).With(Peer("p")).With(BgpAd("ad") with { AggregationLength = 28 }),
            [("ad", "invalid aggregation length 28: prefix 29 in this pool is more specific than the aggregation length for addresses 10.0.1.130-10.0.1.150 (pool \"r\")")]),
        new BgpCase("a range aggregated to its shortest prefix is fine",
            Cluster(Pool("r", "10.0.1.130-10.0.1.150")).With(Peer("p")).With(BgpAd("ad") with { AggregationLength = 29 }), []),
        new BgpCase("IPv6 aggregation shorter than the pool's prefix prints the IPv6 length",
            Cluster(Pool("v6", "2001:db8::/64")).With(Peer("p")).With(BgpAd("ad") with { AggregationLengthV6 = 48 }),
            [("ad", "invalid aggregation length 48: prefix 64 in this pool is more specific than the aggregation length for addresses 2001:db8::/64 (pool \"v6\")")]),
        new BgpCase("only the pools the advertisement selects are checked",
            Cluster(Pool("a", "10.0.0.0/24"), Pool("b", "10.1.0.0/16")).With(Peer("p")).With(BgpAd("ad") with { IpAddressPools = ["b"], AggregationLength = 16 }), []),
        new BgpCase("conflicting localPref on one pool",
            Base.With(Peer("p", 64500, 64500)).With(BgpAd("ad1") with { LocalPref = 100 }, BgpAd("ad2") with { LocalPref = 200 }),
            [("ad2", "invalid local preference 200: local preference 100 was already set for the same type of BGP update by BGPAdvertisement \"ad1\" on pool \"a\". Check existing BGP advertisements with common pools and aggregation lengths")]),
        new BgpCase("localPref differs but aggregation lengths differ",
            Base.With(Peer("p", 64500, 64500)).With(BgpAd("ad1") with { LocalPref = 100 }, BgpAd("ad2") with { LocalPref = 200, AggregationLength = 24 }), []),
        new BgpCase("a v4-only pool ignores the IPv6 length when comparing",
            Base.With(Peer("p", 64500, 64500)).With(BgpAd("ad1") with { LocalPref = 100 }, BgpAd("ad2") with { LocalPref = 200, AggregationLengthV6 = 64 }),
            [("ad2", "invalid local preference 200: local preference 100 was already set for the same type of BGP update by BGPAdvertisement \"ad1\" on pool \"a\". Check existing BGP advertisements with common pools and aggregation lengths")]),
        new BgpCase("a dual-stack pool needs both lengths to differ",
            Cluster(Pool("d", "10.0.0.0/24", "2001:db8::/120")).With(Peer("p", 64500, 64500)).With(BgpAd("ad1") with { LocalPref = 100 }, BgpAd("ad2") with { LocalPref = 200, AggregationLength = 24 }),
            [("ad2", "invalid local preference 200: local preference 100 was already set for the same type of BGP update by BGPAdvertisement \"ad1\" on pool \"d\". Check existing BGP advertisements with common pools and aggregation lengths")]),
        new BgpCase("a dual-stack pool with both lengths different is fine",
            Cluster(Pool("d", "10.0.0.0/24", "2001:db8::/120")).With(Peer("p", 64500, 64500)).With(BgpAd("ad1") with { LocalPref = 100 }, BgpAd("ad2") with { LocalPref = 200, AggregationLength = 24, AggregationLengthV6 = 120 }), []),
        new BgpCase("localPref differs but peers are disjoint",
            Base.With(Peer("p", 64500, 64500), Peer("q", 64500, 64500, "192.0.2.2")).With(BgpAd("ad1") with { LocalPref = 100, Peers = ["p"] }, BgpAd("ad2") with { LocalPref = 200, Peers = ["q"] }), []),
        new BgpCase("localPref differs but nodes are disjoint",
            Base.With(Peer("p", 64500, 64500)).WithNodes(Node("n1", "rack=1"), Node("n2", "rack=2"))
                .With(BgpAd("ad1") with { LocalPref = 100, NodeSelectors = [Match("rack=1")] }, BgpAd("ad2") with { LocalPref = 200, NodeSelectors = [Match("rack=2")] }), []),
        new BgpCase("localPref differs but one advertisement selects services",
            Base.With(Peer("p", 64500, 64500)).With(BgpAd("ad1") with { LocalPref = 100 }, BgpAd("ad2") with { LocalPref = 200, ServiceSelectors = [Match("app=x")] }), []),
        new BgpCase("advertisement outside the MetalLB namespace", OneAd(BgpAd("ad") with { Ref = new ObjectRef("BGPAdvertisement", "default", "ad") }),
            [("ad", "resource must be created in metallb-system namespace, not \"default\"")]),

        // Fields only MetalLB's FRR modes implement: the peer is dropped with a warning, the rest loads.
        new BgpCase("vrf drops the peer", OnePeer(Peer("p") with { Vrf = "red" }), [], [("p", VrfDropped)]),
        new BgpCase("interface (unnumbered) drops the peer", OnePeer(Peer("p", address: null) with { Interface = "eth0" }), [],
            [("p", "IronLB's native BGP does not implement interface (\"eth0\"); this peer opens no session: unnumbered peering is not supported; set peerAddress instead")]),
        new BgpCase("localASN drops the peer", OnePeer(Peer("p") with { LocalAsn = 64999 }), [],
            [("p", "IronLB's native BGP does not implement localASN (64999); this peer opens no session: the session would open with myASN, which the router does not expect")]),
        new BgpCase("localASN above 32 bits is an error", OnePeer(Peer("p") with { LocalAsn = 4294967296 }), [("p", "invalid localASN 4294967296: must be between 1 and 4294967295")]),
        new BgpCase("a vrf peer with a bad ASN is still an error", OnePeer(Peer("p", myAsn: 0) with { Vrf = "red" }), [("p", "missing local ASN")], [("p", VrfDropped)]),
        new BgpCase("a vrf peer with bad timers is still an error", OnePeer(Peer("p") with { Vrf = "red", HoldTime = "2s" }),
            [("p", "invalid BGPPeer timers: invalid hold time \"2s\": must be 0 or >=3s")], [("p", VrfDropped)]),
        new BgpCase("a vrf peer with an interface as well is still an error", OnePeer(Peer("p") with { Vrf = "red", Interface = "eth0" }),
            [("p", "peer has both Address and Interface specified")], [("p", VrfDropped)]),
        new BgpCase("an advertisement naming a dropped peer loses it", Base.With(Peer("p"), Peer("frr", address: "192.0.2.2") with { Vrf = "red" }).With(BgpAd("ad") with { Peers = ["p", "frr"] }), [],
            [("frr", VrfDropped),
             ("ad", "peers names BGPPeer \"frr\", which opens no session (see its warning), so no session gets these routes from it")]),
        new BgpCase("a dropped peer does not clash with a peer opening the same session", Base.With(Peer("p"), Peer("q") with { Vrf = "red" }), [], [("q", VrfDropped)]),

        // Warnings: the configuration loads.
        new BgpCase("bfdProfile", OnePeer(Peer("p") with { BfdProfile = "fast" }), [],
            [("p", "bfdProfile \"fast\" is not yet used: IronLB has no BFD yet, so a dead session is noticed by the hold timer only")]),
        new BgpCase("enableGracefulRestart", OnePeer(Peer("p") with { EnableGracefulRestart = true }), [],
            [("p", "enableGracefulRestart is not yet used: IronLB does not offer graceful restart yet, so the router drops this node's routes as soon as the session closes")]),
        new BgpCase("disableMP", OnePeer(Peer("p") with { DisableMp = true }), [],
            [("p", "disable mp is deprecated and has no effect: use dualStackAddressFamily to send both families over one session")]),
        new BgpCase("peers names a BGPPeer that does not exist", OneAd(BgpAd("ad") with { Peers = ["tor-1"] }), [],
            [("ad", "peers names BGPPeer \"tor-1\", which does not exist; the BGPPeers are p")]),
        new BgpCase("peers names an invalid BGPPeer", Base.With(Peer("p"), Peer("bad", myAsn: 0, address: "192.0.2.2")).With(BgpAd("ad") with { Peers = ["bad"] }),
            [("bad", "missing local ASN")],
            [("ad", "peers names BGPPeer \"bad\", which is invalid (see its errors), so no session gets these routes from it")]),
        new BgpCase("ipAddressPools names a pool that does not exist", OneAd(BgpAd("ad") with { IpAddressPools = ["b"] }), [],
            [("ad", "ipAddressPools names pool \"b\", which does not exist; the only pool is a")]),
        new BgpCase("localPref toward iBGP is meaningful", Base.With(Peer("p", 64500, 64500)).With(BgpAd("ad") with { LocalPref = 100 }), []),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rule(BgpCase c)
    {
        var result = ConfigParser.Parse(c.Resources);
        Assert.Equal(
            c.Errors.Select(e => $"{e.Object}: {e.Message}").Order(StringComparer.Ordinal),
            result.Errors.Select(e => $"{e.Target.Name}: {e.Message}").Order(StringComparer.Ordinal));
        Assert.Equal(
            (c.Warnings ?? []).Select(e => $"{e.Object}: {e.Message}").Order(StringComparer.Ordinal),
            result.Warnings.Select(e => $"{e.Target.Name}: {e.Message}").Order(StringComparer.Ordinal));
        Assert.Equal(c.Errors.Length == 0, result.IsValid);
        if (c.Errors.Length == 0)
        {
            Assert.Same(result.Partial, result.Config);
        }
        else
        {
            Assert.Null(result.Config);
        }
    }

    [Theory]
    [InlineData("vrf")]
    [InlineData("interface")]
    [InlineData("localASN")]
    public void A_leftover_FRR_peer_leaves_a_layer_2_setup_working(string field)
    {
        var frrPeer = field switch
        {
            "vrf" => Peer("frr") with { Vrf = "red" },
            "interface" => Peer("frr", address: null) with { Interface = "eth0" },
            _ => Peer("frr") with { LocalAsn = 64999 },
        };
        var result = ConfigParser.Parse(Base.With(L2("l2")).With(frrPeer).With(BgpAd("ad")));

        Assert.True(result.IsValid);
        var pool = Assert.Single(result.Config!.Pools);
        Assert.Equal(["l2"], pool.L2Advertisements.Select(a => a.Name));
        Assert.Equal(["ad"], pool.BgpAdvertisements.Select(a => a.Name));
        Assert.Empty(result.Config.BgpPeers);
        var warning = Assert.Single(result.Warnings);
        Assert.Equal(("frr", $"spec.{field}"), (warning.Target.Name, warning.Field));
        Assert.Contains($"does not implement {field}", warning.ToString(), StringComparison.Ordinal);
        Assert.StartsWith("BGPPeer metallb-system/frr: ", warning.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_error_is_collected_in_one_pass_and_each_names_its_field()
    {
        var resources = Base
            .With(Peer("p1", myAsn: 0), Peer("p2", address: "nope") with { HoldTime = "1s" }, Peer("good", address: "192.0.2.7"))
            .With(Aliases("c", ("x", "1:2:3")))
            .With(BgpAd("ad1") with { AggregationLength = 40, Communities = ["x"] }, BgpAd("ad2"));
        var result = ConfigParser.Parse(resources);

        Assert.Equal(["ad1", "ad1", "c", "p1", "p2", "p2"], result.Errors.Select(e => e.Target.Name).Order(StringComparer.Ordinal));
        Assert.All(result.Errors, e => Assert.NotNull(e.Field));
        Assert.Null(result.Config);

        // Partial keeps what was valid on its own: the good peer, and ad2 attached to the pool.
        Assert.Equal(["good"], result.Partial.BgpPeers.Select(p => p.Name));
        Assert.Equal(["ad2"], result.Partial.Pools.Single().BgpAdvertisements.Select(a => a.Name));
    }
}
