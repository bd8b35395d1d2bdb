namespace IronLb.Core.Addressing;

public enum IpFamily
{
    IPv4,
    IPv6,
}

/// <summary>The family of a set of addresses (a Service's clusterIPs or load-balancer IPs).</summary>
public enum ServiceFamily
{
    IPv4,
    IPv6,
    Dual,
}

public static class IpFamilyExtensions
{
    /// <summary>The spelling Kubernetes and MetalLB messages use: "ipv4", "ipv6", "dual".</summary>
    public static string ToWire(this ServiceFamily family) => family switch
    {
        ServiceFamily.IPv4 => "ipv4",
        ServiceFamily.IPv6 => "ipv6",
        _ => "dual",
    };

    public static ServiceFamily ToServiceFamily(this IpFamily family) =>
        family == IpFamily.IPv4 ? ServiceFamily.IPv4 : ServiceFamily.IPv6;

    public static IpFamily Other(this IpFamily family) => family == IpFamily.IPv4 ? IpFamily.IPv6 : IpFamily.IPv4;
}
