using k8s.Models;

namespace IronLb.Kubernetes.Informers;

/// <summary>
/// What an informer keeps of a Service: everything IronLB reads (<c>CoreMapping.ToView</c>: labels, annotations, type,
/// class, requested addresses, cluster IPs, families and policy, external traffic policy, selector, each port's
/// protocol and number, the status) and the whole metadata and status, which a status write sends back. The rest of the
/// spec goes (target and node ports, session affinity, internal traffic policy, source ranges ...), and repeated
/// strings are shared. At 10,000 Services the cache was most of the controller's heap.
/// Safe to write back only through the status subresource, whose strategy takes the spec from the stored object.
/// </summary>
internal static class ServiceTrim
{
    public static V1Service Trim(V1Service service)
    {
        service.ApiVersion = StringPool.Shared(service.ApiVersion);
        service.Kind = StringPool.Shared(service.Kind);
        if (service.Metadata is { } meta)
        {
            meta.NamespaceProperty = StringPool.Shared(meta.NamespaceProperty);
            meta.Labels = StringPool.Shared(meta.Labels);
            meta.Annotations = StringPool.Shared(meta.Annotations);
        }

        if (service.Spec is { } spec)
        {
            service.Spec = new V1ServiceSpec
            {
                Type = StringPool.Shared(spec.Type),
                LoadBalancerClass = StringPool.Shared(spec.LoadBalancerClass),
                LoadBalancerIP = spec.LoadBalancerIP,

                // CoreMapping reads clusterIP only when clusterIPs is empty.
                ClusterIPs = spec.ClusterIPs,
                ClusterIP = spec.ClusterIPs is { Count: > 0 } ? null : spec.ClusterIP,
                IpFamilies = spec.IpFamilies?.Select(f => StringPool.Shared(f)!).ToList(),
                IpFamilyPolicy = StringPool.Shared(spec.IpFamilyPolicy),
                ExternalTrafficPolicy = StringPool.Shared(spec.ExternalTrafficPolicy),
                Selector = StringPool.Shared(spec.Selector),
                Ports = spec.Ports?.Select(p => new V1ServicePort { Protocol = StringPool.Shared(p.Protocol), Port = p.Port }).ToList(),
            };
        }

        return service;
    }
}
