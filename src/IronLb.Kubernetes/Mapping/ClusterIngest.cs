using System.Collections.Immutable;
using IronLb.Core.Allocation;
using IronLb.Core.Configuration;
using IronLb.Core.Planning;
using IronLb.Kubernetes.Crds;
using k8s.Models;

namespace IronLb.Kubernetes.Mapping;

/// <summary>
/// The one way cluster objects (informer stores, or a list read once) become Core's inputs: the
/// controller, the speaker and `ironlb status` all read the cluster through here, so they cannot disagree
/// on what the cluster holds. `ironlb plan` gets the same <see cref="PlanInput"/> from the manifest reader.
/// Everything comes out in name order: informer stores have no order, and the configuration's errors and
/// the replay must not depend on one.
/// </summary>
public static class ClusterIngest
{
    /// <summary>The configuration objects as the parser reads them; only the namespace and pools are required.</summary>
    public static ClusterResources Resources(
        string configNamespace,
        IEnumerable<IpAddressPoolObject> pools,
        IEnumerable<L2AdvertisementObject>? advertisements = null,
        IEnumerable<V1Namespace>? namespaces = null,
        IEnumerable<V1Node>? nodes = null,
        IEnumerable<BgpPeerObject>? bgpPeers = null,
        IEnumerable<BgpAdvertisementObject>? bgpAdvertisements = null,
        IEnumerable<CommunityObject>? communities = null)
    {
        ArgumentNullException.ThrowIfNull(configNamespace);
        ArgumentNullException.ThrowIfNull(pools);
        return new ClusterResources
        {
            Pools = [.. pools.Select(CoreMapping.ToResource).OrderBy(p => p.Name, StringComparer.Ordinal)],
            L2Advertisements = [.. (advertisements ?? []).Select(CoreMapping.ToResource).OrderBy(a => a.Name, StringComparer.Ordinal)],
            Namespaces = [.. (namespaces ?? []).Select(CoreMapping.ToResource).OrderBy(n => n.Name, StringComparer.Ordinal)],
            Nodes = [.. (nodes ?? []).Select(CoreMapping.ToResource).OrderBy(n => n.Name, StringComparer.Ordinal)],
            BgpPeers = [.. (bgpPeers ?? []).Select(CoreMapping.ToResource).OrderBy(p => p.Name, StringComparer.Ordinal)],
            BgpAdvertisements = [.. (bgpAdvertisements ?? []).Select(CoreMapping.ToResource).OrderBy(a => a.Name, StringComparer.Ordinal)],
            Communities = [.. (communities ?? []).Select(CoreMapping.ToResource).OrderBy(c => c.Name, StringComparer.Ordinal)],
            ConfigNamespace = configNamespace,
        };
    }

    /// <summary>A validated peer's password, read from MetalLB's namespace when it names a Secret (see <see cref="PeerPasswords"/>).</summary>
    public static PeerPassword Password(BgpPeer peer, string configNamespace, IEnumerable<V1Secret> secrets) =>
        PeerPasswords.Resolve(peer, configNamespace, secrets);

    /// <summary>Every Service as Core sees it, in key order (the replay orders them itself).</summary>
    public static ImmutableArray<ServiceView> Services(IEnumerable<V1Service> services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return [.. services.Select(CoreMapping.ToView).OrderBy(v => v.Key, ServiceKey.Ordinal)];
    }

    /// <summary>
    /// The whole cluster as one input: configuration, Services and their endpoints, and what egress needs of the
    /// Nodes and Service ranges. A Service without any EndpointSlice has no entry, and in a cluster that means no
    /// endpoints (the speaker reads it so); only plan, over manifests, assumes the opposite.
    /// </summary>
    public static PlanInput Input(
        string configNamespace,
        IEnumerable<V1Service> services,
        IEnumerable<IpAddressPoolObject> pools,
        IEnumerable<L2AdvertisementObject>? advertisements = null,
        IEnumerable<V1Namespace>? namespaces = null,
        IEnumerable<V1Node>? nodes = null,
        IEnumerable<V1EndpointSlice>? slices = null,
        IEnumerable<V1ServiceCIDR>? serviceCidrs = null,
        IEnumerable<BgpPeerObject>? bgpPeers = null,
        IEnumerable<BgpAdvertisementObject>? bgpAdvertisements = null,
        IEnumerable<CommunityObject>? communities = null) =>
        new()
        {
            Resources = Resources(configNamespace, pools, advertisements, namespaces, nodes, bgpPeers, bgpAdvertisements, communities),
            Services = Services(services),
            Endpoints = CoreMapping.ToEndpointsByService(slices ?? []).ToImmutableDictionary(),
            NodeNetworks = [.. (nodes ?? []).Select(CoreMapping.ToNetwork).OrderBy(n => n.Name, StringComparer.Ordinal)],
            ServiceCidrs = [.. (serviceCidrs ?? []).SelectMany(c => c.Spec?.Cidrs ?? []).Where(c => !string.IsNullOrEmpty(c)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
        };
}
