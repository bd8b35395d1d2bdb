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

    public static ClusterResources WithNodes(this ClusterResources resources, params NodeResource[] nodes) =>
        resources with { Nodes = [.. resources.Nodes, .. nodes] };
}
