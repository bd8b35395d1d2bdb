using System.Collections.Immutable;

namespace IronLb.Core.Configuration;

// The wire-shaped inputs of the configuration parser: what a reader (manifest files, informers) found,
// before any validation. They mirror MetalLB's CRDs field by field but carry no Kubernetes types, so
// Core stays BCL-only. Null means "field absent" wherever MetalLB distinguishes absent from empty.

/// <summary>Where an object came from, so every error can name it (file and object, or just the object).</summary>
public sealed record ObjectRef(string Kind, string? Namespace, string Name, string? Source = null)
{
    public override string ToString() =>
        Namespace is null ? $"{Kind} {Name}" : $"{Kind} {Namespace}/{Name}";
}

/// <summary>A Kubernetes LabelSelector: matchLabels ANDed with matchExpressions.</summary>
public sealed record LabelSelectorSpec
{
    public ImmutableDictionary<string, string> MatchLabels { get; init; } = ImmutableDictionary<string, string>.Empty;
    public ImmutableArray<LabelSelectorRequirement> MatchExpressions { get; init; } = [];
}

/// <summary>One matchExpressions entry: operator is In, NotIn, Exists or DoesNotExist.</summary>
public sealed record LabelSelectorRequirement(string Key, string Operator, ImmutableArray<string> Values);

/// <summary>spec.serviceAllocation of an IPAddressPool.</summary>
public sealed record ServiceAllocationSpec
{
    public int Priority { get; init; }
    public ImmutableArray<string> Namespaces { get; init; } = [];
    public ImmutableArray<LabelSelectorSpec> NamespaceSelectors { get; init; } = [];
    public ImmutableArray<LabelSelectorSpec> ServiceSelectors { get; init; } = [];
}

/// <summary>An IPAddressPool (metallb.io/v1beta1) as read.</summary>
public sealed record IpAddressPoolResource
{
    public required ObjectRef Ref { get; init; }
    public ImmutableDictionary<string, string> Labels { get; init; } = ImmutableDictionary<string, string>.Empty;
    public ImmutableArray<string> Addresses { get; init; } = [];

    /// <summary>Null when absent; the CRD defaults it to true.</summary>
    public bool? AutoAssign { get; init; }
    public bool AvoidBuggyIps { get; init; }
    public ServiceAllocationSpec? ServiceAllocation { get; init; }
    public string Name => Ref.Name;
}

/// <summary>An L2Advertisement (metallb.io/v1beta1) as read.</summary>
public sealed record L2AdvertisementResource
{
    public required ObjectRef Ref { get; init; }
    public ImmutableArray<string> IpAddressPools { get; init; } = [];
    public ImmutableArray<LabelSelectorSpec> IpAddressPoolSelectors { get; init; } = [];
    public ImmutableArray<LabelSelectorSpec> NodeSelectors { get; init; } = [];
    public ImmutableArray<string> Interfaces { get; init; } = [];
    public ImmutableArray<LabelSelectorSpec> ServiceSelectors { get; init; } = [];
    public string Name => Ref.Name;
}

/// <summary>A Namespace: its labels resolve serviceAllocation.namespaceSelectors.</summary>
public sealed record NamespaceResource(string Name, ImmutableDictionary<string, string> Labels);

/// <summary>A Node: labels resolve node selectors; the condition and label feed the L2 election.</summary>
public sealed record NodeResource(string Name, ImmutableDictionary<string, string> Labels, bool NetworkUnavailable = false);

/// <summary>Everything the configuration parser reads, like MetalLB's ClusterResources.</summary>
public sealed record ClusterResources
{
    /// <summary>Where MetalLB (and so IronLB) keeps its configuration unless told otherwise.</summary>
    public const string DefaultConfigNamespace = "metallb-system";

    public ImmutableArray<IpAddressPoolResource> Pools { get; init; } = [];
    public ImmutableArray<L2AdvertisementResource> L2Advertisements { get; init; } = [];
    public ImmutableArray<NamespaceResource> Namespaces { get; init; } = [];
    public ImmutableArray<NodeResource> Nodes { get; init; } = [];
    public ImmutableArray<BgpPeerResource> BgpPeers { get; init; } = [];
    public ImmutableArray<BgpAdvertisementResource> BgpAdvertisements { get; init; } = [];
    public ImmutableArray<CommunityResource> Communities { get; init; } = [];

    /// <summary>
    /// MetalLB's namespace (metallb-system). Configuration objects elsewhere are reported and ignored,
    /// as MetalLB's webhook rejects them and its caches never see them. Null accepts any namespace.
    /// </summary>
    public string? ConfigNamespace { get; init; } = DefaultConfigNamespace;
}
