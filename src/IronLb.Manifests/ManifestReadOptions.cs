using System.Collections.Immutable;

namespace IronLb.Manifests;

public sealed record ManifestReadOptions
{
    /// <summary>The cluster's service families, primary first ("IPv4", "IPv6"), for Services without clusterIPs.</summary>
    public ImmutableArray<string> ClusterFamilies { get; init; } = ["IPv4", "IPv6"];

    /// <summary>
    /// MetalLB's namespace. IPAddressPools and L2Advertisements without metadata.namespace are placed here,
    /// because GitOps trees usually leave the namespace to kustomize; an explicit other namespace is kept
    /// so Core reports it.
    /// </summary>
    public string ConfigNamespace { get; init; } = Core.Configuration.ClusterResources.DefaultConfigNamespace;
}
