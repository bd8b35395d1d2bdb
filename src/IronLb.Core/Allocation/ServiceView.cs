using System.Collections.Immutable;

namespace IronLb.Core.Allocation;

/// <summary>Namespace and name of a Service: the allocator's key.</summary>
public readonly record struct ServiceKey(string Namespace, string Name)
{
    /// <summary>Namespace, then name, ordinal: the tie-breaker wherever Core must be deterministic.</summary>
    public static IComparer<ServiceKey> Ordinal { get; } = Comparer<ServiceKey>.Create(static (a, b) =>
    {
        var byNamespace = string.CompareOrdinal(a.Namespace, b.Namespace);
        return byNamespace != 0 ? byNamespace : string.CompareOrdinal(a.Name, b.Name);
    });

    public override string ToString() => $"{Namespace}/{Name}";
}

/// <summary>A (protocol, port) pair of spec.ports, displayed as MetalLB does: TCP/80.</summary>
public readonly record struct ServicePort(string Protocol, int Port)
{
    public override string ToString() => $"{Protocol}/{Port}";
}

public enum IpFamilyPolicy
{
    SingleStack,
    PreferDualStack,
    RequireDualStack,
}

/// <summary>
/// The few Service fields Core needs (MetalLB's k8salloc projection). Readers fill it from a v1.Service,
/// a manifest file, or a Gateway; Core never sees Kubernetes types.
/// </summary>
public sealed record ServiceView
{
    public required ServiceKey Key { get; init; }

    /// <summary>spec.type as written (LoadBalancer, ClusterIP, NodePort, ExternalName); null means ClusterIP.</summary>
    public string? Type { get; init; } = "LoadBalancer";
    public ImmutableDictionary<string, string> Labels { get; init; } = ImmutableDictionary<string, string>.Empty;
    public ImmutableDictionary<string, string> Annotations { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>spec.loadBalancerIP; null or empty when not set.</summary>
    public string? LoadBalancerIp { get; init; }
    public string? LoadBalancerClass { get; init; }

    /// <summary>spec.clusterIPs, or [spec.clusterIP] when only that is set.</summary>
    public ImmutableArray<string> ClusterIps { get; init; } = [];

    /// <summary>spec.ipFamilyPolicy; null is treated as SingleStack.</summary>
    public IpFamilyPolicy? IpFamilyPolicy { get; init; }

    /// <summary>spec.ipFamilies as written ("IPv4", "IPv6"); only [0] matters, as the preferred family.</summary>
    public ImmutableArray<string> IpFamilies { get; init; } = [];

    /// <summary>True when spec.externalTrafficPolicy is Local.</summary>
    public bool ExternalTrafficPolicyLocal { get; init; }
    public ImmutableDictionary<string, string> Selector { get; init; } = ImmutableDictionary<string, string>.Empty;
    public ImmutableArray<ServicePort> Ports { get; init; } = [];

    /// <summary>status.loadBalancer.ingress[*].ip; hostname-only entries appear as "".</summary>
    public ImmutableArray<string> IngressIps { get; init; } = [];

    /// <summary>metadata.creationTimestamp, used only to order a whole-cluster replay.</summary>
    public DateTimeOffset? CreationTimestamp { get; init; }

    public bool IsLoadBalancer => string.Equals(Type, "LoadBalancer", StringComparison.Ordinal);
}
