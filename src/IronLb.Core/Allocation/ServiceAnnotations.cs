using System.Collections.Immutable;

namespace IronLb.Core.Allocation;

/// <summary>MetalLB's Service annotation keys, current and legacy, and its lookup rule.</summary>
public static class ServiceAnnotations
{
    public const string Prefix = "metallb.io/";
    public const string LegacyPrefix = "metallb.universe.tf/";
    public const string LoadBalancerIps = Prefix + "loadBalancerIPs";
    public const string AddressPool = Prefix + "address-pool";
    public const string AllowSharedIp = Prefix + "allow-shared-ip";

    /// <summary>Written by the controller: the pool the current addresses came from.</summary>
    public const string IpAllocatedFromPool = Prefix + "ip-allocated-from-pool";

    private static readonly ImmutableArray<string> Honoured = ["loadBalancerIPs", "address-pool", "allow-shared-ip"];

    /// <summary>The current key wins when present, even with an empty value; otherwise the legacy key.</summary>
    public static string? Get(IReadOnlyDictionary<string, string> annotations, string currentKey)
    {
        ArgumentNullException.ThrowIfNull(annotations);
        ArgumentNullException.ThrowIfNull(currentKey);
        if (annotations.TryGetValue(currentKey, out var value))
        {
            return value;
        }

        return annotations.TryGetValue(LegacyPrefix + currentKey[Prefix.Length..], out var legacy) ? legacy : null;
    }

    /// <summary>Legacy keys the Service uses, each worth a deprecatedAnnotation warning when it changes.</summary>
    public static IEnumerable<string> LegacyKeysIn(IReadOnlyDictionary<string, string> annotations) =>
        Honoured.Select(k => LegacyPrefix + k).Where(annotations.ContainsKey);
}
