using System.Collections.Immutable;
using IronLb.Core.Configuration;

namespace IronLb.Core.Tests.Configuration;

/// <summary>Terse builders for parser inputs.</summary>
internal static class Resources
{
    public const string Ns = "metallb-system";

    public static IpAddressPoolResource Pool(string name, params string[] addresses) =>
        new() { Ref = new ObjectRef("IPAddressPool", Ns, name), Addresses = [.. addresses] };

    public static L2AdvertisementResource L2(string name) =>
        new() { Ref = new ObjectRef("L2Advertisement", Ns, name) };

    public static ImmutableDictionary<string, string> Labels(params string[] pairs) =>
        pairs.Select(p => p.Split('=', 2)).ToImmutableDictionary(p => p[0], p => p[1]);

    public static LabelSelectorSpec Match(params string[] pairs) => new() { MatchLabels = Labels(pairs) };

    public static LabelSelectorSpec Expr(string key, string op, params string[] values) =>
        new() { MatchExpressions = [new LabelSelectorRequirement(key, op, [.. values])] };

    public static LabelSelectorSpec Exprs(params LabelSelectorRequirement[] requirements) =>
        new() { MatchExpressions = [.. requirements] };

    public static ServiceAllocationSpec Alloc(
        int priority = 0,
        string[]? namespaces = null,
        LabelSelectorSpec[]? namespaceSelectors = null,
        LabelSelectorSpec[]? serviceSelectors = null) =>
        new()
        {
            Priority = priority,
            Namespaces = [.. namespaces ?? []],
            NamespaceSelectors = [.. namespaceSelectors ?? []],
            ServiceSelectors = [.. serviceSelectors ?? []],
        };

    public static ClusterResources Cluster(params IpAddressPoolResource[] pools) => new() { Pools = [.. pools] };

    public static ClusterResources With(this ClusterResources resources, params L2AdvertisementResource[] ads) =>
        resources with { L2Advertisements = [.. resources.L2Advertisements, .. ads] };

    public static ClusterResources WithNamespaces(this ClusterResources resources, params NamespaceResource[] namespaces) =>
        resources with { Namespaces = [.. resources.Namespaces, .. namespaces] };

    public static BgpPeerResource Peer(string name, long myAsn = 64500, long peerAsn = 64501, string? address = "192.0.2.1") =>
        new() { Ref = new ObjectRef("BGPPeer", Ns, name), MyAsn = myAsn, PeerAsn = peerAsn, PeerAddress = address };

    public static BgpAdvertisementResource BgpAd(string name) =>
        new() { Ref = new ObjectRef("BGPAdvertisement", Ns, name) };

    public static CommunityResource Aliases(string name, params (string Name, string Value)[] aliases) =>
        new() { Ref = new ObjectRef("Community", Ns, name), Communities = [.. aliases.Select(a => new CommunityAliasSpec(a.Name, a.Value))] };

    public static ClusterResources With(this ClusterResources resources, params BgpPeerResource[] peers) =>
        resources with { BgpPeers = [.. resources.BgpPeers, .. peers] };

    public static ClusterResources With(this ClusterResources resources, params BgpAdvertisementResource[] ads) =>
        resources with { BgpAdvertisements = [.. resources.BgpAdvertisements, .. ads] };

    public static ClusterResources With(this ClusterResources resources, params CommunityResource[] communities) =>
        resources with { Communities = [.. resources.Communities, .. communities] };

    public static NodeResource Node(string name, params string[] labels) => new(name, Labels(labels));

    public static ClusterResources WithNodes(this ClusterResources resources, params NodeResource[] nodes) =>
        resources with { Nodes = [.. resources.Nodes, .. nodes] };
}
