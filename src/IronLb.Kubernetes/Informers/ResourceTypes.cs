using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Crds;
using IronLb.Kubernetes.Json;
using k8s.Models;

namespace IronLb.Kubernetes.Informers;

/// <summary>The kinds IronLB reads and writes: built-in ones as KubernetesClient's models, MetalLB's as ours; both through our source-generated contexts.</summary>
public static class ResourceTypes
{
    public const string MetalLbGroupVersion = "metallb.io/v1beta1";

    /// <summary>BGPPeer's storage version (v1beta1 is still served, deprecated).</summary>
    public const string MetalLbV1Beta2 = "metallb.io/v1beta2";

    public static ResourceType<V1Service> Services { get; } = BuiltIn(BuiltInJsonContext.Default.V1Service, new("v1", "services", "Service", true), s => s.Metadata);

    /// <summary>
    /// Services as the controller's and speaker's informers keep them (<see cref="ServiceTrim"/>): what IronLB reads, with
    /// shared strings. Write one back only through the status subresource.
    /// </summary>
    public static ResourceType<V1Service> ServicesTrimmed { get; } = Services with
    {
        Parse = json => ServiceTrim.Trim(Services.Parse(json)),
        ParseUtf8 = json => ServiceTrim.Trim(Services.ParseUtf8(json)),
    };

    public static ResourceType<V1Namespace> Namespaces { get; } = BuiltIn(BuiltInJsonContext.Default.V1Namespace, new("v1", "namespaces", "Namespace", false), n => n.Metadata);

    public static ResourceType<V1Node> Nodes { get; } = BuiltIn(BuiltInJsonContext.Default.V1Node, new("v1", "nodes", "Node", false), n => n.Metadata);

    public static ResourceType<V1Pod> Pods { get; } = BuiltIn(BuiltInJsonContext.Default.V1Pod, new("v1", "pods", "Pod", true), p => p.Metadata);

    public static ResourceType<Corev1Event> Events { get; } = BuiltIn(BuiltInJsonContext.Default.Corev1Event, new("v1", "events", "Event", true), e => e.Metadata);

    public static ResourceType<V1EndpointSlice> EndpointSlices { get; } =
        BuiltIn(BuiltInJsonContext.Default.V1EndpointSlice, new("discovery.k8s.io/v1", "endpointslices", "EndpointSlice", true), s => s.Metadata);

    public static ResourceType<V1ServiceCIDR> ServiceCidrs { get; } =
        BuiltIn(BuiltInJsonContext.Default.V1ServiceCIDR, new("networking.k8s.io/v1", "servicecidrs", "ServiceCIDR", false), c => c.Metadata);

    public static ResourceType<V1Lease> Leases { get; } = BuiltIn(BuiltInJsonContext.Default.V1Lease, new("coordination.k8s.io/v1", "leases", "Lease", true), l => l.Metadata);

    /// <summary>Secrets of one namespace (MetalLB's): a BGPPeer's passwordSecret, read there only.</summary>
    public static ResourceType<V1Secret> Secrets(string ns) =>
        BuiltIn(BuiltInJsonContext.Default.V1Secret, new("v1", "secrets", "Secret", true), s => s.Metadata).InNamespace(ns);

    public static ResourceType<BgpPeerObject> BgpPeers(string ns) =>
        MetalLb(ns, "bgppeers", "BGPPeer", CrdJsonContext.Default.BgpPeerObject, p => p.Metadata, MetalLbV1Beta2);

    public static ResourceType<BgpAdvertisementObject> BgpAdvertisements(string ns) =>
        MetalLb(ns, "bgpadvertisements", "BGPAdvertisement", CrdJsonContext.Default.BgpAdvertisementObject, a => a.Metadata);

    public static ResourceType<CommunityObject> Communities(string ns) =>
        MetalLb(ns, "communities", "Community", CrdJsonContext.Default.CommunityObject, c => c.Metadata);

    public static ResourceType<ServiceBgpStatusObject> ServiceBgpStatuses(string ns) =>
        MetalLb(ns, "servicebgpstatuses", "ServiceBGPStatus", CrdJsonContext.Default.ServiceBgpStatusObject, s => s.Metadata);

    public static ResourceType<IpAddressPoolObject> IpAddressPools(string ns) =>
        MetalLb(ns, "ipaddresspools", "IPAddressPool", CrdJsonContext.Default.IpAddressPoolObject, p => p.Metadata);

    public static ResourceType<L2AdvertisementObject> L2Advertisements(string ns) =>
        MetalLb(ns, "l2advertisements", "L2Advertisement", CrdJsonContext.Default.L2AdvertisementObject, a => a.Metadata);

    public static ResourceType<ServiceL2StatusObject> ServiceL2Statuses(string ns) =>
        MetalLb(ns, "servicel2statuses", "ServiceL2Status", CrdJsonContext.Default.ServiceL2StatusObject, s => s.Metadata);

    public static ResourceType<ConfigurationStateObject> ConfigurationStates(string ns) =>
        MetalLb(ns, "configurationstates", "ConfigurationState", CrdJsonContext.Default.ConfigurationStateObject, s => s.Metadata);

    /// <summary>The same kind, listed and watched in one namespace only.</summary>
    public static ResourceType<T> InNamespace<T>(this ResourceType<T> type, string ns)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(type);
        return type with { Namespace = ns };
    }

    private static ResourceType<T> BuiltIn<T>(JsonTypeInfo<T> info, ApiResource resource, Func<T, V1ObjectMeta?> metadata)
        where T : class =>
        new(resource, null,
            json => WithoutManagedFields(Refusing(resource.Kind, () => JsonSerializer.Deserialize(json, info)), metadata),
            item => JsonSerializer.Serialize(item, info),
            item => Meta(metadata(item)),
            json => WithoutManagedFields(RefusingUtf8(resource.Kind, json, info), metadata));

    private static ResourceType<T> MetalLb<T>(string ns, string plural, string kind, JsonTypeInfo<T> info, Func<T, V1ObjectMeta?> metadata, string groupVersion = MetalLbGroupVersion)
        where T : class =>
        new(new ApiResource(groupVersion, plural, kind, true), ns,
            json => WithoutManagedFields(Refusing(kind, () => JsonSerializer.Deserialize(json, info)), metadata),
            item => JsonSerializer.Serialize(item, info),
            item => Meta(metadata(item)),
            json => WithoutManagedFields(RefusingUtf8(kind, json, info), metadata));

    /// <summary>
    /// The typed parse refuses only with <see cref="JsonException"/>: KubernetesClient's converters throw
    /// NotSupportedException and others on a poison object (a targetPort that is an object, found by fuzz/
    /// watch-line), and the informer must see one kind of refusal naming the kind.
    /// </summary>
    private static T Refusing<T>(string kind, Func<T?> parse)
        where T : class
    {
        try
        {
            return parse() ?? throw new JsonException($"{kind}: the object is JSON null");
        }
        catch (Exception e) when (e is not (JsonException or OutOfMemoryException))
        {
            throw new JsonException($"{kind} could not be read: {e.Message}", e);
        }
    }

    /// <summary>As <c>Refusing</c>, from UTF-8 bytes (a span cannot be captured by a lambda).</summary>
    private static T RefusingUtf8<T>(string kind, ReadOnlySpan<byte> json, JsonTypeInfo<T> info)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(json, info) ?? throw new JsonException($"{kind}: the object is JSON null");
        }
        catch (Exception e) when (e is not (JsonException or OutOfMemoryException))
        {
            throw new JsonException($"{kind} could not be read: {e.Message}", e);
        }
    }

    /// <summary>
    /// Drops metadata.managedFields from a parsed object. IronLB never reads them, and a write that leaves them out
    /// keeps the server's. Two more reasons: they are most of a small object's size in every cache, and their
    /// FieldsV1 is typed <c>object</c> (read as a JsonElement), which KubernetesClient.Aot's source-generated JSON
    /// cannot write back, so a replace of an object read with them would fail.
    /// </summary>
    private static T WithoutManagedFields<T>(T item, Func<T, V1ObjectMeta?> metadata)
    {
        if (metadata(item) is { } meta)
        {
            meta.ManagedFields = null;
        }

        return item;
    }

    private static ObjectMeta Meta(V1ObjectMeta? metadata) =>
        new(metadata?.NamespaceProperty, metadata?.Name ?? "", metadata?.ResourceVersion ?? "");
}
