using System.Collections.Immutable;
using IronLb.Core.Addressing;
using IronLb.Core.Allocation;

namespace IronLb.Core.Egress;

/// <summary>
/// Where one family of a Service's outgoing traffic leaves the cluster: as <see cref="Address"/>, through
/// <see cref="Node"/> (the node that announces that address), or nowhere yet when nobody announces it.
/// </summary>
public sealed record FamilyEgress(IpFamily Family, Address Address, string? Node);

/// <summary>
/// Which Services ask for egress from their load-balancer address, and through which node each family leaves.
/// One rule for `plan`, `status` and the speaker, so what they show is what the nodes program.
/// </summary>
public static class EgressSelection
{
    /// <summary>Metaleg's switch, kept so the manifests that used Metaleg work unchanged.</summary>
    public const string RewriteSourceLabel = "metaleg.de/rewriteSrcIP";

    /// <summary>The label set to exactly "true", as Metaleg reads it.</summary>
    public static bool IsRequested(ServiceView service)
    {
        ArgumentNullException.ThrowIfNull(service);
        return service.IsLoadBalancer
            && service.Labels.TryGetValue(RewriteSourceLabel, out var value)
            && string.Equals(value, "true", StringComparison.Ordinal);
    }

    /// <summary>
    /// One path per family the Service has an address of: its first address of that family, leaving through the
    /// node announcing the Service. The election runs once per Service (on its first address, as in MetalLB), so
    /// both families of one Service leave through the same node.
    /// </summary>
    /// <param name="ingressIps">The Service's load-balancer addresses as written in its status.</param>
    /// <param name="announcer">The elected node when the Service is announced; null when nobody announces it.</param>
    public static ImmutableArray<FamilyEgress> Paths(IEnumerable<string> ingressIps, string? announcer)
    {
        ArgumentNullException.ThrowIfNull(ingressIps);
        var paths = ImmutableArray.CreateBuilder<FamilyEgress>(2);
        foreach (var text in ingressIps)
        {
            if (Address.TryParse(text, out var address) && !paths.Any(p => p.Family == address.Family))
            {
                paths.Add(new FamilyEgress(address.Family, address, announcer));
            }
        }

        return [.. paths.OrderBy(p => p.Family)];
    }
}
