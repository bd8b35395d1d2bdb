using IronLb.Core.Allocation;

namespace IronLb.Core.Planning;

/// <summary>
/// Which field of a Service a Warning event is about, as a kubectl-style path
/// ("metadata.annotations[metallb.io/loadBalancerIPs]"), so plan can point at the line to edit rather than
/// at the Service's first line. Null when the event concerns the Service as a whole.
/// </summary>
public static class ServiceRequestField
{
    public static string? Of(ServiceView service, ServiceEvent warning)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(warning);
        return warning.Reason switch
        {
            EventReasons.AllocationFailed or EventReasons.LoadBalancerFailed or EventReasons.AdditionalAssignFailed => Request(service),
            EventReasons.NotEnoughClusterIps => "spec.ipFamilyPolicy",
            EventReasons.DeprecatedAnnotation => ServiceAnnotations.LegacyKeysIn(service.Annotations)
                .Where(k => warning.Message.Contains(k, StringComparison.Ordinal))
                .Select(Annotation)
                .FirstOrDefault(),
            _ => null,
        };
    }

    /// <summary>What asked for the addresses, in MetalLB's order of precedence: the IPs annotation, spec.loadBalancerIP, the pool annotation.</summary>
    private static string? Request(ServiceView service)
    {
        if (Key(service, ServiceAnnotations.LoadBalancerIps) is { } ips)
        {
            return Annotation(ips);
        }

        if (!string.IsNullOrEmpty(service.LoadBalancerIp))
        {
            return "spec.loadBalancerIP";
        }

        return Key(service, ServiceAnnotations.AddressPool) is { } pool ? Annotation(pool) : null;
    }

    // The current key wins when present, as in ServiceAnnotations.Get; otherwise the legacy one.
    private static string? Key(ServiceView service, string currentKey)
    {
        if (service.Annotations.ContainsKey(currentKey))
        {
            return currentKey;
        }

        var legacy = ServiceAnnotations.LegacyPrefix + currentKey[ServiceAnnotations.Prefix.Length..];
        return service.Annotations.ContainsKey(legacy) ? legacy : null;
    }

    private static string Annotation(string key) => $"metadata.annotations[{key}]";
}
