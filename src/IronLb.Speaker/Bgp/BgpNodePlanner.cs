using IronLb.Core.Addressing;
using IronLb.Core.Allocation;
using IronLb.Core.Announcement;
using IronLb.Core.Configuration;

namespace IronLb.Speaker.Bgp;

/// <summary>
/// MetalLB's BGP mode for one node (metallb-bgp.md §3): no election, each node decides for itself through
/// <see cref="BgpAnnouncement.DecideForNode"/>, the same Core decision `plan` shows for every node. Pure.
/// </summary>
internal static class BgpNodePlanner
{
    /// <param name="config">The configuration in force.</param>
    /// <param name="services">This speaker's LoadBalancer Services (its class), with their status.</param>
    /// <param name="endpoints">A Service's endpoints.</param>
    /// <param name="node">This node.</param>
    /// <param name="ignoreExcludeLabel">--ignore-exclude-lb.</param>
    public static BgpNodePlan Plan(LoadBalancerConfig config, IEnumerable<ServiceView> services, Func<ServiceKey, ServiceEndpoints> endpoints, string node, bool ignoreExcludeLabel = false)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(endpoints);
        if (config.BgpPeers.IsEmpty)
        {
            return BgpNodePlan.Empty;
        }

        var labels = config.Nodes.FirstOrDefault(n => string.Equals(n.Name, node, StringComparison.Ordinal))?.Labels;
        var peers = config.BgpPeers.Where(p => p.SelectsNode(labels ?? EmptyLabels)).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        var decisions = new List<BgpServiceDecision>();
        foreach (var service in services.OrderBy(s => s.Key, ServiceKey.Ordinal))
        {
            // A Service outside every pool with a BGPAdvertisement is Layer 2's (or nobody's): no route, no BGP status.
            if (!InBgpPool(config, service))
            {
                continue;
            }

            var announcement = BgpAnnouncement.DecideForNode(node, service, config, endpoints(service.Key), ignoreExcludeLabel);
            decisions.Add(new BgpServiceDecision(service.Key, service.IngressIps, announcement));
        }

        return new BgpNodePlan
        {
            Peers = [.. peers],
            Routes = BgpRouteTable.Merge(decisions.Select(d => d.Announcement)),
            Services = [.. decisions],
        };
    }

    private static readonly IReadOnlyDictionary<string, string> EmptyLabels = new Dictionary<string, string>();

    private static bool InBgpPool(LoadBalancerConfig config, ServiceView service) =>
        service.IsLoadBalancer && !service.IngressIps.IsDefault
        && config.Pools.Any(p => !p.BgpAdvertisements.IsEmpty && service.IngressIps.Any(ip => Address.TryParse(ip, out var a) && p.Cidrs.Any(c => c.Contains(a))));
}
