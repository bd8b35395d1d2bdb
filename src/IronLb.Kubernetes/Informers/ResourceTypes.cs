using IronLb.Kubernetes.Crds;
using k8s;
using k8s.Models;

namespace IronLb.Kubernetes.Informers;

/// <summary>The kinds IronLB lists and watches.</summary>
public static class ResourceTypes
{
    public const string MetalLbGroupVersion = "metallb.io/v1beta1";

    public static ResourceType<V1Service> Services { get; } =
        new("services", "api/v1/services", json => KubernetesJson.Deserialize<V1Service>(json), s => Meta(s.Metadata));

    public static ResourceType<V1Namespace> Namespaces { get; } =
        new("namespaces", "api/v1/namespaces", json => KubernetesJson.Deserialize<V1Namespace>(json), n => Meta(n.Metadata));

    public static ResourceType<V1Node> Nodes { get; } =
        new("nodes", "api/v1/nodes", json => KubernetesJson.Deserialize<V1Node>(json), n => Meta(n.Metadata));

    public static ResourceType<V1EndpointSlice> EndpointSlices { get; } =
        new("endpointslices", "apis/discovery.k8s.io/v1/endpointslices", json => KubernetesJson.Deserialize<V1EndpointSlice>(json), s => Meta(s.Metadata));

    public static ResourceType<IpAddressPoolObject> IpAddressPools(string ns) =>
        new("ipaddresspools", MetalLbPath(ns, "ipaddresspools"), json => Crd(json, CrdJsonContext.Default.IpAddressPoolObject), p => Meta(p.Metadata));

    public static ResourceType<L2AdvertisementObject> L2Advertisements(string ns) =>
        new("l2advertisements", MetalLbPath(ns, "l2advertisements"), json => Crd(json, CrdJsonContext.Default.L2AdvertisementObject), a => Meta(a.Metadata));

    public static ResourceType<ServiceL2StatusObject> ServiceL2Statuses(string ns) =>
        new("servicel2statuses", MetalLbPath(ns, "servicel2statuses"), json => Crd(json, CrdJsonContext.Default.ServiceL2StatusObject), s => Meta(s.Metadata));

    public static ResourceType<ConfigurationStateObject> ConfigurationStates(string ns) =>
        new("configurationstates", MetalLbPath(ns, "configurationstates"), json => Crd(json, CrdJsonContext.Default.ConfigurationStateObject), s => Meta(s.Metadata));

    public static string MetalLbPath(string ns, string plural) => $"apis/{MetalLbGroupVersion}/namespaces/{ns}/{plural}";

    private static T Crd<T>(string json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info) =>
        System.Text.Json.JsonSerializer.Deserialize(json, info) ?? throw new System.Text.Json.JsonException("null object");

    private static ObjectMeta Meta(V1ObjectMeta? metadata) =>
        new(metadata?.NamespaceProperty, metadata?.Name ?? "", metadata?.ResourceVersion ?? "");
}
