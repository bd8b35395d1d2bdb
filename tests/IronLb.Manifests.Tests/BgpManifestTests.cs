using IronLb.Core.Configuration;

namespace IronLb.Manifests.Tests;

/// <summary>
/// BGPPeer, BGPAdvertisement and Community in manifests (plan's input): every field read into Core's resources,
/// and every malformed one an error naming file:line and the object, never an exception, with the object left out.
/// </summary>
public sealed class BgpManifestTests
{
    private const string Peer = """
        apiVersion: metallb.io/v1beta2
        kind: BGPPeer
        metadata: {name: tor-b, namespace: metallb-system}
        spec:
          myASN: 64500
          peerASN: 64501
          peerAddress: 192.0.2.1
          peerPort: 1179
          sourceAddress: 192.0.2.10
          routerID: 192.0.2.10
          holdTime: 9s
          keepaliveTime: 3s
          connectTime: 5s
          nodeSelectors:
            - matchLabels: {rack: "1"}
          passwordSecret: {name: bgp-auth, namespace: metallb-system}
          bfdProfile: fast
          enableGracefulRestart: true
          ebgpMultiHop: true
          disableMP: true
          dualStackAddressFamily: true
        ---
        apiVersion: metallb.io/v1beta2
        kind: BGPPeer
        metadata: {name: tor-a}
        spec: {myASN: 64500, dynamicASN: internal, interface: eth0, localASN: 64999, vrf: red, password: inline}
        """;

    [Fact]
    public void Reads_every_peer_field_in_name_order()
    {
        var read = ManifestReader.ReadText("bgp.yaml", Peer);

        Assert.Empty(read.Errors);
        Assert.Equal(["tor-a", "tor-b"], read.Resources.BgpPeers.Select(p => p.Name));
        var a = read.Resources.BgpPeers[0];
        Assert.Equal(("BGPPeer", "metallb-system", "tor-a", "bgp.yaml:23"), (a.Ref.Kind, a.Ref.Namespace, a.Ref.Name, a.Ref.Source));
        Assert.Equal((64500L, 0L, "internal", "eth0", 64999L, "red", "inline"), (a.MyAsn, a.PeerAsn, a.DynamicAsn, a.Interface, a.LocalAsn, a.Vrf, a.Password));
        Assert.Null(a.PeerPort);

        var b = read.Resources.BgpPeers[1];
        Assert.Equal("bgp.yaml:1", b.Ref.Source);
        Assert.Equal((64500L, 64501L, "192.0.2.1", (int?)1179, "192.0.2.10", "192.0.2.10"), (b.MyAsn, b.PeerAsn, b.PeerAddress, b.PeerPort, b.SourceAddress, b.RouterId));
        Assert.Equal(("9s", "3s", "5s"), (b.HoldTime, b.KeepaliveTime, b.ConnectTime));
        Assert.Equal("1", Assert.Single(b.NodeSelectors).MatchLabels["rack"]);
        Assert.Equal(new SecretReferenceSpec("bgp-auth", "metallb-system"), b.PasswordSecret);
        Assert.Equal(("fast", true, true, true, true), (b.BfdProfile, b.EnableGracefulRestart, b.EbgpMultiHop, b.DisableMp, b.DualStackAddressFamily));
    }

    [Fact]
    public void Reads_advertisements_and_communities()
    {
        var read = ManifestReader.ReadText("bgp.yaml", """
            apiVersion: metallb.io/v1beta1
            kind: BGPAdvertisement
            metadata: {name: ad, namespace: metallb-system}
            spec:
              aggregationLength: 24
              aggregationLengthV6: 64
              localPref: 4000000000
              communities: ["65535:65282", no-export]
              ipAddressPools: [external]
              ipAddressPoolSelectors: [{matchLabels: {tier: public}}]
              nodeSelectors: [{matchLabels: {rack: "1"}}]
              peers: [tor-b]
              serviceSelectors: [{matchLabels: {app: web}}]
            ---
            apiVersion: metallb.io/v1beta1
            kind: BGPAdvertisement
            metadata: {name: all}
            ---
            apiVersion: metallb.io/v1beta1
            kind: Community
            metadata: {name: aliases}
            spec:
              communities:
                - {name: no-export, value: "65535:65281"}
                - {name: mine, value: "large:64500:1:2"}
            """);

        Assert.Empty(read.Errors);
        Assert.Equal(["ad", "all"], read.Resources.BgpAdvertisements.Select(a => a.Name));
        var ad = read.Resources.BgpAdvertisements[0];
        Assert.Equal(((int?)24, (int?)64, 4000000000L), (ad.AggregationLength, ad.AggregationLengthV6, ad.LocalPref));
        Assert.Equal(["65535:65282", "no-export"], ad.Communities);
        Assert.Equal(["external"], ad.IpAddressPools);
        Assert.Equal(["tor-b"], ad.Peers);
        Assert.Equal(["public", "1", "web"], new[] { ad.IpAddressPoolSelectors, ad.NodeSelectors, ad.ServiceSelectors }.Select(s => Assert.Single(s).MatchLabels.Values.Single()));
        var all = read.Resources.BgpAdvertisements[1];
        Assert.Equal(("metallb-system", (int?)null), (all.Ref.Namespace, all.AggregationLength));

        var community = Assert.Single(read.Resources.Communities);
        Assert.Equal("metallb-system", community.Ref.Namespace);
        Assert.Equal([new CommunityAliasSpec("no-export", "65535:65281"), new CommunityAliasSpec("mine", "large:64500:1:2")], community.Communities);
        Assert.DoesNotContain(read.IgnoredKinds.Keys, k => k is "BGPPeer" or "BGPAdvertisement" or "Community");
    }

    [Fact]
    public void Secrets_of_MetalLBs_namespace_are_read_for_peer_passwords_and_others_ignored()
    {
        var read = ManifestReader.ReadText("secret.yaml", """
            apiVersion: v1
            kind: Secret
            metadata: {name: bgp-auth, namespace: metallb-system}
            type: kubernetes.io/basic-auth
            data: {username: dXNlcg==, password: b2xk}
            stringData: {password: s3cret}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: app-token, namespace: web}
            data: {token: "not base64, and not ours to read"}
            """);

        Assert.Empty(read.Errors);
        var secret = Assert.Single(read.Secrets);
        Assert.Equal(("bgp-auth", "kubernetes.io/basic-auth"), (secret.Name, secret.Type));
        // stringData wins over data for the same key, as the API server stores it.
        Assert.Equal("s3cret", System.Text.Encoding.UTF8.GetString([.. secret.Data["password"]]));
        Assert.Equal("user", System.Text.Encoding.UTF8.GetString([.. secret.Data["username"]]));
        Assert.Equal(1, read.IgnoredKinds["Secret"]);
        Assert.Empty(read.Input.Resources.BgpPeers);
    }

    [Fact]
    public void A_Secret_value_that_is_not_base64_is_an_error_and_the_Secret_left_out()
    {
        var read = ManifestReader.ReadText("secret.yaml", """
            apiVersion: v1
            kind: Secret
            metadata: {name: bgp-auth, namespace: metallb-system}
            type: kubernetes.io/basic-auth
            data: {password: "s3cret!"}
            """);

        Assert.Contains("data[password]: the value is not base64", Assert.Single(read.Errors).Message, StringComparison.Ordinal);
        Assert.Empty(read.Secrets);
    }

    public sealed record MalformedCase(string Desc, string Yaml, string Error, int Line)
    {
        public override string ToString() => Desc;
    }

    private static string PeerWith(string field) => $"apiVersion: metallb.io/v1beta2\nkind: BGPPeer\nmetadata: {{name: p}}\nspec:\n  myASN: 64500\n  peerAddress: 192.0.2.1\n  {field}\n";

    private static string AdWith(string field) => $"apiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata: {{name: ad}}\nspec:\n  {field}\n";

    public static TheoryData<MalformedCase> Malformed =>
    [
        new MalformedCase("peer unknown field", PeerWith("peerAS: 1"), "unknown field \"spec.peerAS\"", 7),
        new MalformedCase("peer myASN a string", PeerWith("peerASN: \"x\"").Replace("myASN: 64500", "myASN: many", StringComparison.Ordinal), "spec.myASN: expected an integer, got a string", 5),
        new MalformedCase("peer without spec", "apiVersion: metallb.io/v1beta2\nkind: BGPPeer\nmetadata: {name: p}\n", "missing required field \"spec\"", 1),
        new MalformedCase("peer without myASN", "apiVersion: metallb.io/v1beta2\nkind: BGPPeer\nmetadata: {name: p}\nspec: {peerASN: 1}\n", "missing required field \"spec.myASN\"", 4),
        new MalformedCase("peerASN a list", PeerWith("peerASN: [1]"), "spec.peerASN: expected an integer, got a list", 7),
        new MalformedCase("localASN a string", PeerWith("localASN: x"), "spec.localASN: expected an integer, got a string", 7),
        new MalformedCase("dynamicASN a number", PeerWith("dynamicASN: 1"), "spec.dynamicASN: expected a string, got a number", 7),
        new MalformedCase("peerAddress a number", PeerWith("peerPort: 179\n  peerAddress: 1").Replace("  peerAddress: 192.0.2.1\n", "", StringComparison.Ordinal), "spec.peerAddress: expected a string, got a number", 7),
        new MalformedCase("interface a list", PeerWith("interface: [eth0]"), "spec.interface: expected a string, got a list", 7),
        new MalformedCase("peerPort a string", PeerWith("peerPort: http"), "spec.peerPort: expected an integer, got a string", 7),
        new MalformedCase("peerPort beyond int32", PeerWith("peerPort: 4294967296"), "spec.peerPort: 4294967296 is out of range", 7),
        new MalformedCase("sourceAddress a list", PeerWith("sourceAddress: []"), "spec.sourceAddress: expected a string, got a list", 7),
        new MalformedCase("routerID a number", PeerWith("routerID: 7"), "spec.routerID: expected a string, got a number", 7),
        new MalformedCase("holdTime a number", PeerWith("holdTime: 90"), "spec.holdTime: expected a string, got a number", 7),
        new MalformedCase("keepaliveTime a number", PeerWith("keepaliveTime: 30"), "spec.keepaliveTime: expected a string, got a number", 7),
        new MalformedCase("connectTime a number", PeerWith("connectTime: 5"), "spec.connectTime: expected a string, got a number", 7),
        new MalformedCase("nodeSelectors unknown field", PeerWith("nodeSelectors: [{matchLabel: {a: b}}]"), "unknown field \"spec.nodeSelectors[0].matchLabel\"", 7),
        new MalformedCase("password a number", PeerWith("password: 1234"), "spec.password: expected a string, got a number", 7),
        new MalformedCase("passwordSecret a string", PeerWith("passwordSecret: bgp-auth"), "spec.passwordSecret: expected a mapping, got a string", 7),
        new MalformedCase("passwordSecret unknown field", PeerWith("passwordSecret: {name: a, key: password}"), "unknown field \"spec.passwordSecret.key\"", 7),
        new MalformedCase("bfdProfile a boolean", PeerWith("bfdProfile: true"), "spec.bfdProfile: expected a string, got a boolean", 7),
        new MalformedCase("enableGracefulRestart a string", PeerWith("enableGracefulRestart: \"yes\""), "spec.enableGracefulRestart: expected a boolean, got a string", 7),
        new MalformedCase("ebgpMultiHop a string", PeerWith("ebgpMultiHop: sometimes"), "spec.ebgpMultiHop: expected a boolean, got a string", 7),
        new MalformedCase("vrf a number", PeerWith("vrf: 1"), "spec.vrf: expected a string, got a number", 7),
        new MalformedCase("disableMP a string", PeerWith("disableMP: \"true\""), "spec.disableMP: expected a boolean, got a string", 7),
        new MalformedCase("dualStackAddressFamily a number", PeerWith("dualStackAddressFamily: 1"), "spec.dualStackAddressFamily: expected a boolean, got a number", 7),
        new MalformedCase("a v1beta2 field in a v1beta1 peer", PeerWith("vrf: red").Replace("v1beta2", "v1beta1", StringComparison.Ordinal), "unknown field \"spec.vrf\"", 7),
        new MalformedCase("an unserved peer version", PeerWith("vrf: red").Replace("v1beta2", "v1", StringComparison.Ordinal),
            "apiVersion \"metallb.io/v1\" is not served for BGPPeer; expected metallb.io/v1beta2 or metallb.io/v1beta1", 1),
        new MalformedCase("advertisement unknown field", AdWith("peer: [a]"), "unknown field \"spec.peer\"", 5),
        new MalformedCase("aggregationLength a string", AdWith("aggregationLength: \"24\""), "spec.aggregationLength: expected an integer, got a string", 5),
        new MalformedCase("aggregationLengthV6 beyond int32", AdWith("aggregationLengthV6: 9999999999"), "spec.aggregationLengthV6: 9999999999 is out of range", 5),
        new MalformedCase("localPref a string", AdWith("localPref: high"), "spec.localPref: expected an integer, got a string", 5),
        new MalformedCase("communities a string", AdWith("communities: \"65535:65282\""), "spec.communities: expected a list, got a string", 5),
        new MalformedCase("a community a number", AdWith("communities: [1]"), "spec.communities[0]: expected a string, got a number", 5),
        new MalformedCase("ipAddressPools a mapping", AdWith("ipAddressPools: {a: b}"), "spec.ipAddressPools: expected a list, got a mapping", 5),
        new MalformedCase("ipAddressPoolSelectors a string", AdWith("ipAddressPoolSelectors: a"), "spec.ipAddressPoolSelectors: expected a list, got a string", 5),
        new MalformedCase("nodeSelectors an item not a mapping", AdWith("nodeSelectors: [a]"), "spec.nodeSelectors[0]: expected a mapping, got a string", 5),
        new MalformedCase("peers a number", AdWith("peers: 1"), "spec.peers: expected a list, got a number", 5),
        new MalformedCase("serviceSelectors unknown field", AdWith("serviceSelectors: [{matchLabels: {a: b}, other: 1}]"), "unknown field \"spec.serviceSelectors[0].other\"", 5),
        new MalformedCase("advertisement spec a list", "apiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata: {name: ad}\nspec: []\n", "spec: expected a mapping, got a list", 4),
        new MalformedCase("community unknown field", "apiVersion: metallb.io/v1beta1\nkind: Community\nmetadata: {name: c}\nspec:\n  communities: [{name: a, value: \"1:1\", note: x}]\n", "unknown field \"spec.communities[0].note\"", 5),
        new MalformedCase("community value a number", "apiVersion: metallb.io/v1beta1\nkind: Community\nmetadata: {name: c}\nspec:\n  communities: [{name: a, value: 1}]\n", "spec.communities[0].value: expected a string, got a number", 5),
        new MalformedCase("community spec unknown field", "apiVersion: metallb.io/v1beta1\nkind: Community\nmetadata: {name: c}\nspec:\n  aliases: []\n", "unknown field \"spec.aliases\"", 5),
        new MalformedCase("misspelt kind", "apiVersion: metallb.io/v1beta1\nkind: BGPPeers\nmetadata: {name: c}\n", "kind \"BGPPeers\" does not exist in metallb.io", 2),
    ];

    [Theory]
    [MemberData(nameof(Malformed))]
    public void A_malformed_object_is_an_error_naming_its_source_and_is_left_out(MalformedCase c)
    {
        var read = ManifestReader.ReadText("bgp.yaml", c.Yaml);

        Assert.Empty(read.FatalErrors);
        var error = Assert.Single(read.Errors, e => e.Message.Contains(c.Error, StringComparison.Ordinal));
        Assert.Equal(("bgp.yaml", (int?)c.Line), (error.File, error.Line));
        Assert.NotNull(error.ObjectName);
        Assert.Empty(read.Resources.BgpPeers);
        Assert.Empty(read.Resources.BgpAdvertisements);
        Assert.Empty(read.Resources.Communities);
    }
}
