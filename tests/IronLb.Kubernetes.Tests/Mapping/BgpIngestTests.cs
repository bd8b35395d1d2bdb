using IronLb.Core.Configuration;
using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Crds;
using IronLb.Kubernetes.Informers;
using IronLb.Kubernetes.Mapping;
using IronLb.Kubernetes.Tests.Support;
using k8s.Models;

namespace IronLb.Kubernetes.Tests.Mapping;

/// <summary>
/// BGP mode's objects through the one ingest: applied to KubeSim with deploy/crds installed, read back with the real
/// client at the versions IronLB reads (BGPPeer v1beta2), they come out as Core's resources field for field, in name
/// order, and a peer's passwordSecret resolves from the Secret.
/// </summary>
public sealed class BgpIngestTests
{
    private const string Ns = MetalLbCluster.Ns;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Objects_applied_to_the_cluster_come_out_as_core_resources_and_the_password_resolves()
    {
        await using var cluster = await MetalLbCluster.StartAsync(Token,
            ("bgppeers", ResourceTypes.MetalLbV1Beta2, "BGPPeer"),
            ("bgpadvertisements", ResourceTypes.MetalLbGroupVersion, "BGPAdvertisement"),
            ("communities", ResourceTypes.MetalLbGroupVersion, "Community"));
        await cluster.ApplyAsync(ResourceTypes.BgpPeers(Ns).Resource, "tor-b", """
            {"apiVersion":"metallb.io/v1beta2","kind":"BGPPeer","metadata":{"name":"tor-b","namespace":"metallb-system"},
             "spec":{"myASN":64500,"peerASN":64501,"peerAddress":"192.0.2.1","peerPort":1179,"sourceAddress":"192.0.2.10",
                     "routerID":"192.0.2.10","holdTime":"9s","keepaliveTime":"3s","connectTime":"5s",
                     "nodeSelectors":[{"matchLabels":{"rack":"1"},"matchExpressions":[{"key":"zone","operator":"In","values":["a","b"]}]}],
                     "passwordSecret":{"name":"bgp-auth","namespace":"metallb-system"},"bfdProfile":"fast","enableGracefulRestart":true,
                     "ebgpMultiHop":true,"dualStackAddressFamily":true}}
            """, Token);
        await cluster.ApplyAsync(ResourceTypes.BgpPeers(Ns).Resource, "tor-a", """
            {"apiVersion":"metallb.io/v1beta2","kind":"BGPPeer","metadata":{"name":"tor-a","namespace":"metallb-system"},
             "spec":{"myASN":64500,"dynamicASN":"internal","peerAddress":"2001:db8::1","password":"inline","vrf":"red","localASN":64999,"disableMP":true}}
            """, Token);
        await cluster.ApplyAsync(ResourceTypes.BgpAdvertisements(Ns).Resource, "ad", """
            {"apiVersion":"metallb.io/v1beta1","kind":"BGPAdvertisement","metadata":{"name":"ad","namespace":"metallb-system"},
             "spec":{"aggregationLength":24,"aggregationLengthV6":64,"localPref":4000000000,"communities":["65535:65282","no-export"],
                     "ipAddressPools":["a"],"ipAddressPoolSelectors":[{"matchLabels":{"k":"v"}}],"nodeSelectors":[{"matchLabels":{"rack":"1"}}],
                     "peers":["tor-b"],"serviceSelectors":[{"matchLabels":{"app":"web"}}]}}
            """, Token);
        await cluster.ApplyAsync(ResourceTypes.Communities(Ns).Resource, "aliases", """
            {"apiVersion":"metallb.io/v1beta1","kind":"Community","metadata":{"name":"aliases","namespace":"metallb-system"},
             "spec":{"communities":[{"name":"no-export","value":"65535:65281"},{"name":"mine","value":"large:64500:1:2"}]}}
            """, Token);
        await cluster.ApplyAsync(ResourceTypes.Secrets(Ns).Resource, "bgp-auth", """
            {"apiVersion":"v1","kind":"Secret","metadata":{"name":"bgp-auth","namespace":"metallb-system"},
             "type":"kubernetes.io/basic-auth","data":{"password":"czNjcmV0"}}
            """, Token);

        var peers = (await new ResourceClient<BgpPeerObject>(cluster.Direct, ResourceTypes.BgpPeers(Ns)).ListAsync(Token)).Items;
        var ads = (await new ResourceClient<BgpAdvertisementObject>(cluster.Direct, ResourceTypes.BgpAdvertisements(Ns)).ListAsync(Token)).Items;
        var communities = (await new ResourceClient<CommunityObject>(cluster.Direct, ResourceTypes.Communities(Ns)).ListAsync(Token)).Items;
        var secrets = (await new ResourceClient<V1Secret>(cluster.Direct, ResourceTypes.Secrets(Ns)).ListAsync(Token)).Items;
        var resources = ClusterIngest.Resources(Ns, [], bgpPeers: peers, bgpAdvertisements: ads, communities: communities);

        // Name order, whatever order the store had.
        Assert.Equal(["tor-a", "tor-b"], resources.BgpPeers.Select(p => p.Name));
        var a = resources.BgpPeers[0];
        Assert.Equal(new ObjectRef("BGPPeer", Ns, "tor-a"), a.Ref);
        Assert.Equal((64500L, 0L, "internal", 64999L, "2001:db8::1", "inline", "red", true), (a.MyAsn, a.PeerAsn, a.DynamicAsn, a.LocalAsn, a.PeerAddress, a.Password, a.Vrf, a.DisableMp));
        // The API server fills in the CRD's default port.
        Assert.Equal((false, false, false, (int?)179), (a.EbgpMultiHop, a.EnableGracefulRestart, a.DualStackAddressFamily, a.PeerPort));

        var b = resources.BgpPeers[1];
        Assert.Equal((64500L, 64501L, "192.0.2.1", (int?)1179, "192.0.2.10", "192.0.2.10"), (b.MyAsn, b.PeerAsn, b.PeerAddress, b.PeerPort, b.SourceAddress, b.RouterId));
        Assert.Equal(("9s", "3s", "5s"), (b.HoldTime, b.KeepaliveTime, b.ConnectTime));
        Assert.Equal(new SecretReferenceSpec("bgp-auth", Ns), b.PasswordSecret);
        Assert.Equal(("fast", true, true, true), (b.BfdProfile, b.EnableGracefulRestart, b.EbgpMultiHop, b.DualStackAddressFamily));
        var selector = Assert.Single(b.NodeSelectors);
        Assert.Equal("1", selector.MatchLabels["rack"]);
        var expression = Assert.Single(selector.MatchExpressions);
        Assert.Equal(("zone", "In"), (expression.Key, expression.Operator));
        Assert.Equal(["a", "b"], expression.Values);

        var ad = Assert.Single(resources.BgpAdvertisements);
        Assert.Equal(new ObjectRef("BGPAdvertisement", Ns, "ad"), ad.Ref);
        Assert.Equal(((int?)24, (int?)64, 4000000000L), (ad.AggregationLength, ad.AggregationLengthV6, ad.LocalPref));
        Assert.Equal(["65535:65282", "no-export"], ad.Communities);
        Assert.Equal(["a"], ad.IpAddressPools);
        Assert.Equal(["tor-b"], ad.Peers);
        Assert.Equal(["v", "1", "web"], new[] { ad.IpAddressPoolSelectors, ad.NodeSelectors, ad.ServiceSelectors }.Select(s => Assert.Single(s).MatchLabels.Values.Single()));

        var community = Assert.Single(resources.Communities);
        Assert.Equal(new ObjectRef("Community", Ns, "aliases"), community.Ref);
        Assert.Equal([new CommunityAliasSpec("no-export", "65535:65281"), new CommunityAliasSpec("mine", "large:64500:1:2")], community.Communities);

        // Parsed: tor-a is dropped (vrf, localASN) with warnings, tor-b loads, and its password comes from the Secret.
        // The advertisement sets every field, serviceSelectors with aggregation lengths too, which MetalLB forbids; the
        // peers are parsed without it.
        Assert.Equal(2, ConfigParser.Parse(resources).Errors.Count(e => e.Target.Name == "ad" && e.Message.StartsWith("serviceSelectors and aggregationLength", StringComparison.Ordinal)));
        var parsed = ConfigParser.Parse(resources with { BgpAdvertisements = [] });
        Assert.True(parsed.IsValid, string.Join('\n', parsed.Errors));
        var peer = Assert.Single(parsed.Config!.BgpPeers);
        Assert.Equal("tor-b", peer.Name);
        Assert.Equal(new PeerPassword("s3cret", null), ClusterIngest.Password(peer, Ns, secrets));
    }

    [Fact]
    public void Absent_fields_map_to_the_values_the_parser_treats_as_absent()
    {
        var peer = CoreMapping.ToResource(new BgpPeerObject { Metadata = new V1ObjectMeta { Name = "p" } });
        Assert.Equal((0L, 0L, 0L, (int?)null, (SecretReferenceSpec?)null), (peer.MyAsn, peer.PeerAsn, peer.LocalAsn, peer.PeerPort, peer.PasswordSecret));
        Assert.True(peer.NodeSelectors.IsEmpty);

        var ad = CoreMapping.ToResource(new BgpAdvertisementObject { Metadata = new V1ObjectMeta { Name = "ad" } });
        Assert.Equal(((int?)null, (int?)null, 0L), (ad.AggregationLength, ad.AggregationLengthV6, ad.LocalPref));
        Assert.True(ad.Peers.IsEmpty && ad.Communities.IsEmpty && ad.IpAddressPools.IsEmpty);

        var community = CoreMapping.ToResource(new CommunityObject { Metadata = new V1ObjectMeta { Name = "c" }, Spec = new CommunitySpec { Communities = [new CommunityAliasObject()] } });
        Assert.Equal([new CommunityAliasSpec("", "")], community.Communities);
    }

    [Fact]
    public void Input_carries_the_bgp_objects_into_the_plan_input()
    {
        var input = ClusterIngest.Input(Ns, [], [], bgpPeers: [new BgpPeerObject { Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = Ns } }],
            bgpAdvertisements: [new BgpAdvertisementObject { Metadata = new V1ObjectMeta { Name = "ad", NamespaceProperty = Ns } }],
            communities: [new CommunityObject { Metadata = new V1ObjectMeta { Name = "c", NamespaceProperty = Ns } }]);
        Assert.Equal(["p"], input.Resources.BgpPeers.Select(p => p.Name));
        Assert.Equal(["ad"], input.Resources.BgpAdvertisements.Select(a => a.Name));
        Assert.Equal(["c"], input.Resources.Communities.Select(c => c.Name));
    }

    public sealed record PasswordCase(string Desc, SecretReferenceSpec? Reference, string? Inline, V1Secret[] Secrets, string? Password, string? Error)
    {
        public override string ToString() => Desc;
    }

    private static V1Secret Secret(string name, string? type = PeerPasswords.BasicAuthType, string? ns = Ns, params (string Key, byte[] Value)[] data) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Type = type,
        Data = data.Length == 0 ? null : data.ToDictionary(d => d.Key, d => d.Value),
    };

    private static (string, byte[]) Text(string key, string value) => (key, System.Text.Encoding.UTF8.GetBytes(value));

    private const string Down = "; its session stays down";

    public static TheoryData<PasswordCase> PasswordCases =>
    [
        new PasswordCase("no password at all", null, null, [], null, null),
        new PasswordCase("inline password", null, "inline", [], "inline", null),
        new PasswordCase("from the Secret", new("bgp-auth"), null, [Secret("bgp-auth", data: Text("password", "s3cret"))], "s3cret", null),
        new PasswordCase("the reference names MetalLB's namespace", new("bgp-auth", Ns), null, [Secret("bgp-auth", data: Text("password", "s3cret"))], "s3cret", null),
        new PasswordCase("a Secret of the same name elsewhere is not read", new("bgp-auth"), null, [Secret("bgp-auth", ns: "default", data: Text("password", "x"))], null,
            $"BGPPeer p: secret ref not found for peer config: Secret \"{Ns}/bgp-auth\" does not exist (or the speaker may not read it){Down}"),
        new PasswordCase("missing Secret", new("bgp-auth"), null, [], null,
            $"BGPPeer p: secret ref not found for peer config: Secret \"{Ns}/bgp-auth\" does not exist (or the speaker may not read it){Down}"),
        new PasswordCase("reference to another namespace", new("bgp-auth", "default"), null, [Secret("bgp-auth", data: Text("password", "x"))], null,
            $"BGPPeer p: passwordSecret names Secret \"default/bgp-auth\", outside {Ns}: IronLB, like MetalLB, reads Secrets in {Ns} only{Down}"),
        new PasswordCase("wrong type", new("bgp-auth"), null, [Secret("bgp-auth", type: "Opaque", data: Text("password", "x"))], null,
            $"BGPPeer p: secret type mismatch on \"{Ns}/bgp-auth\": type kubernetes.io/basic-auth is expected, not \"Opaque\"{Down}"),
        new PasswordCase("no type", new("bgp-auth"), null, [Secret("bgp-auth", type: null, data: Text("password", "x"))], null,
            $"BGPPeer p: secret type mismatch on \"{Ns}/bgp-auth\": type kubernetes.io/basic-auth is expected, not \"Opaque\"{Down}"),
        new PasswordCase("no password key", new("bgp-auth"), null, [Secret("bgp-auth", data: Text("username", "x"))], null,
            $"BGPPeer p: password not specified in the secret \"{Ns}/bgp-auth\": it needs the key \"password\"{Down}"),
        new PasswordCase("empty password", new("bgp-auth"), null, [Secret("bgp-auth", data: Text("password", ""))], null,
            $"BGPPeer p: password not specified in the secret \"{Ns}/bgp-auth\": it needs the key \"password\"{Down}"),
        new PasswordCase("password not UTF-8", new("bgp-auth"), null, [Secret("bgp-auth", data: ("password", [0xff, 0xfe]))], null,
            $"BGPPeer p: the password in the secret \"{Ns}/bgp-auth\" is not UTF-8 text{Down}"),
        new PasswordCase("password with a line break", new("bgp-auth"), null, [Secret("bgp-auth", data: Text("password", "s3cret\n"))], null,
            $"BGPPeer p: the password in the secret \"{Ns}/bgp-auth\" contains invalid characters (a line break){Down}"),
    ];

    [Theory]
    [MemberData(nameof(PasswordCases))]
    public void Password(PasswordCase c)
    {
        var peer = new BgpPeer { Name = "p", MyAsn = 64500, PeerAsn = 64501, Address = Core.Addressing.Address.Parse("192.0.2.1"), Password = c.Inline, PasswordSecret = c.Reference };
        var resolved = PeerPasswords.Resolve(peer, Ns, c.Secrets);
        Assert.Equal((c.Password, c.Error), (resolved.Password, resolved.Error));
        Assert.Equal(c.Error is null, resolved.Resolved);
    }
}
