using System.Collections.Immutable;
using IronLb.Core.Allocation;
using IronLb.Core.Announcement;
using IronLb.Core.Configuration;
using IronLb.Core.Egress;
using IronLb.Kubernetes.Crds;
using k8s.Models;

namespace IronLb.Kubernetes.Mapping;

/// <summary>From API objects to Core's inputs. Core never sees a Kubernetes type.</summary>
public static partial class CoreMapping
{
    /// <summary>The well-known label that ties an EndpointSlice to its Service.</summary>
    private const string ServiceNameLabel = "kubernetes.io/service-name";

    public static ServiceView ToView(V1Service service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var spec = service.Spec ?? new V1ServiceSpec();
        var clusterIps = spec.ClusterIPs is { Count: > 0 } ips
            ? ips.Where(ip => !string.IsNullOrEmpty(ip)).ToImmutableArray()
            : string.IsNullOrEmpty(spec.ClusterIP) ? [] : [spec.ClusterIP];
        return new ServiceView
        {
            Key = KeyOf(service),
            Type = spec.Type ?? "ClusterIP",
            Labels = ToImmutable(service.Metadata?.Labels),
            Annotations = ToImmutable(service.Metadata?.Annotations),
            LoadBalancerIp = spec.LoadBalancerIP,
            LoadBalancerClass = spec.LoadBalancerClass,
            ClusterIps = clusterIps,
            IpFamilyPolicy = spec.IpFamilyPolicy switch
            {
                "PreferDualStack" => IpFamilyPolicy.PreferDualStack,
                "RequireDualStack" => IpFamilyPolicy.RequireDualStack,
                "SingleStack" => IpFamilyPolicy.SingleStack,
                _ => null,
            },
            IpFamilies = [.. spec.IpFamilies ?? []],
            ExternalTrafficPolicyLocal = string.Equals(spec.ExternalTrafficPolicy, "Local", StringComparison.Ordinal),
            Selector = ToImmutable(spec.Selector),
            Ports = [.. (spec.Ports ?? []).Select(p => new ServicePort(p.Protocol ?? "TCP", p.Port))],
            IngressIps = [.. (service.Status?.LoadBalancer?.Ingress ?? []).Select(i => i.Ip ?? "")],
            CreationTimestamp = service.Metadata?.CreationTimestamp is { } created ? new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) : null,
        };
    }

    /// <summary>The key Core files a Service under (a Service without a namespace is in "default").</summary>
    public static ServiceKey KeyOf(V1Service service)
    {
        ArgumentNullException.ThrowIfNull(service);
        return new ServiceKey(service.Metadata?.NamespaceProperty ?? "default", service.Metadata?.Name ?? "");
    }

    public static IpAddressPoolResource ToResource(IpAddressPoolObject pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        var allocation = pool.Spec.ServiceAllocation;
        return new IpAddressPoolResource
        {
            Ref = Ref("IPAddressPool", pool.Metadata),
            Labels = ToImmutable(pool.Metadata.Labels),
            Addresses = [.. pool.Spec.Addresses ?? []],
            AutoAssign = pool.Spec.AutoAssign,
            AvoidBuggyIps = pool.Spec.AvoidBuggyIps ?? false,
            ServiceAllocation = allocation is null ? null : new ServiceAllocationSpec
            {
                Priority = allocation.Priority ?? 0,
                Namespaces = [.. allocation.Namespaces ?? []],
                NamespaceSelectors = ToSelectors(allocation.NamespaceSelectors),
                ServiceSelectors = ToSelectors(allocation.ServiceSelectors),
            },
        };
    }

    public static L2AdvertisementResource ToResource(L2AdvertisementObject advertisement)
    {
        ArgumentNullException.ThrowIfNull(advertisement);
        var spec = advertisement.Spec;
        return new L2AdvertisementResource
        {
            Ref = Ref("L2Advertisement", advertisement.Metadata),
            IpAddressPools = [.. spec.IpAddressPools ?? []],
            IpAddressPoolSelectors = ToSelectors(spec.IpAddressPoolSelectors),
            NodeSelectors = ToSelectors(spec.NodeSelectors),
            Interfaces = [.. spec.Interfaces ?? []],
            ServiceSelectors = ToSelectors(spec.ServiceSelectors),
        };
    }

    public static NamespaceResource ToResource(V1Namespace ns)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return new NamespaceResource(ns.Metadata?.Name ?? "", ToImmutable(ns.Metadata?.Labels));
    }

    public static NodeResource ToResource(V1Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var unavailable = node.Status?.Conditions?.Any(c => c.Type == "NetworkUnavailable" && c.Status == "True") ?? false;
        return new NodeResource(node.Metadata?.Name ?? "", ToImmutable(node.Metadata?.Labels), unavailable);
    }

    /// <summary>The Node's InternalIPs (in its order) and pod ranges (spec.podCIDRs, else spec.podCIDR).</summary>
    public static NodeNetwork ToNetwork(V1Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var spec = node.Spec ?? new V1NodeSpec();
        var podCidrs = spec.PodCIDRs is { Count: > 0 } cidrs ? cidrs : string.IsNullOrEmpty(spec.PodCIDR) ? [] : [spec.PodCIDR];
        return new NodeNetwork(
            node.Metadata?.Name ?? "",
            [.. (node.Status?.Addresses ?? []).Where(a => a.Type == "InternalIP" && !string.IsNullOrEmpty(a.Address)).Select(a => a.Address)],
            [.. podCidrs.Where(c => !string.IsNullOrEmpty(c))]);
    }

    /// <summary>All endpoints of one Service over its EndpointSlices.</summary>
    public static ServiceEndpoints ToEndpoints(IEnumerable<V1EndpointSlice> slices)
    {
        ArgumentNullException.ThrowIfNull(slices);
        return new ServiceEndpoints([.. slices.SelectMany(s => s.Endpoints ?? []).Select(e => new EndpointView(e.NodeName, e.Conditions?.Ready, e.Conditions?.Serving)
        {
            Addresses = [.. (e.Addresses ?? []).Where(a => !string.IsNullOrEmpty(a))],
        })]);
    }

    /// <summary>Every Service's endpoints, from all EndpointSlices labelled with the Service's name.</summary>
    public static Dictionary<ServiceKey, ServiceEndpoints> ToEndpointsByService(IEnumerable<V1EndpointSlice> slices)
    {
        ArgumentNullException.ThrowIfNull(slices);
        return slices
            .Where(s => s.Metadata?.Labels?.ContainsKey(ServiceNameLabel) == true)
            .GroupBy(s => new ServiceKey(s.Metadata.NamespaceProperty ?? "default", s.Metadata.Labels[ServiceNameLabel]))
            .ToDictionary(g => g.Key, g => ToEndpoints(g));
    }

    public static ImmutableArray<LabelSelectorSpec> ToSelectors(IEnumerable<V1LabelSelector>? selectors) =>
        [.. (selectors ?? []).Select(s => new LabelSelectorSpec
        {
            MatchLabels = ToImmutable(s.MatchLabels),
            MatchExpressions = [.. (s.MatchExpressions ?? []).Select(e => new LabelSelectorRequirement(e.Key ?? "", e.OperatorProperty ?? "", [.. e.Values ?? []]))],
        })];

    private static ObjectRef Ref(string kind, V1ObjectMeta? metadata) =>
        new(kind, metadata?.NamespaceProperty, metadata?.Name ?? "");

    private static ImmutableDictionary<string, string> ToImmutable(IDictionary<string, string>? map) =>
        map is null ? ImmutableDictionary<string, string>.Empty : map.ToImmutableDictionary(StringComparer.Ordinal);
}
