using System.Collections.Immutable;
using IronLb.Core.Addressing;
using IronLb.Core.Allocation;
using IronLb.Core.Configuration;

namespace IronLb.Core.Announcement;

/// <summary>A node's Layer 2 decision for one Service: what to announce and where, or why not.</summary>
public sealed record NodeAnnouncement(
    AnnounceDecision Decision,
    ImmutableArray<Address> Ips,
    string? Pool,
    InterfaceSelection Interfaces,
    string? Winner);

/// <summary>
/// The speaker's per-Service processing (MetalLB's handleService, §4.1) on top of the election:
/// validate the ingress addresses, find their pool, elect, and pick the interfaces.
/// </summary>
public static class ServiceAnnouncement
{
    /// <param name="node">The deciding node; null asks only who wins (plan, status).</param>
    /// <param name="service">The Service with its status.</param>
    /// <param name="config">The speaker's configuration.</param>
    /// <param name="endpoints">The Service's endpoints.</param>
    /// <param name="speakers">Nodes with a live speaker.</param>
    /// <param name="ignoreExcludeLabel">--ignore-exclude-lb.</param>
    public static NodeAnnouncement Decide(
        string? node,
        ServiceView service,
        LoadBalancerConfig config,
        ServiceEndpoints endpoints,
        IReadOnlyCollection<string> speakers,
        bool ignoreExcludeLabel = false)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(config);
        if (!service.IsLoadBalancer)
        {
            return Nothing(AnnounceDecision.NotLoadBalancer);
        }

        var texts = service.IngressIps.Where(ip => ip.Length > 0).ToList();
        if (texts.Count == 0)
        {
            return Nothing(AnnounceDecision.NoIpAllocated);
        }

        var ips = ImmutableArray.CreateBuilder<Address>(texts.Count);
        foreach (var text in texts)
        {
            if (!Address.TryParse(text, out var ip))
            {
                return Nothing(AnnounceDecision.InvalidIp);
            }

            ips.Add(ip);
        }

        // The speaker ignores avoidBuggyIPs when it looks for the pool (MetalLB does the same).
        var pool = config.Pools.FirstOrDefault(p => ips.All(ip => p.Cidrs.Any(c => c.Contains(ip))));
        if (pool is null)
        {
            return Nothing(AnnounceDecision.IpNotAllowed);
        }

        var input = new ElectionInput
        {
            Service = service,
            FirstIp = ips[0].ToString(),
            Pool = pool,
            Endpoints = endpoints,
            Speakers = speakers,
            Nodes = config.Nodes,
            IgnoreExcludeLabel = ignoreExcludeLabel,
        };
        var election = L2Election.Elect(input);
        var decision = node is null
            ? election.Reason
            : L2Election.ShouldAnnounce(node, input);
        var announcer = node ?? election.Winner;
        var interfaces = decision == AnnounceDecision.Announce && announcer is not null
            ? L2Election.InterfacesFor(announcer, pool, service)
            : InterfaceSelection.None;
        return new NodeAnnouncement(decision, ips.ToImmutable(), pool.Name, interfaces, election.Winner);
    }

    private static NodeAnnouncement Nothing(AnnounceDecision decision) =>
        new(decision, [], null, InterfaceSelection.None, null);
}
