using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using IronLb.Core.Addressing;
using IronLb.Core.Allocation;
using IronLb.Core.Egress;
using IronLb.Core.Planning;
using IronLb.Networking.Egress;
using IronLb.Speaker.Announcing;

namespace IronLb.Speaker.Egress;

/// <summary>
/// This node's egress rule set from the announcement decision of the same evaluation: a labelled Service whose
/// family is announced here is translated here; one announced elsewhere has this node's endpoints steered to the
/// announcing node's InternalIP. Because it reads the decision that moves the address, every node re-points in
/// the evaluation that moves it, with no round trip through the API. Pure.
/// </summary>
internal static class EgressRuleSetBuilder
{
    /// <param name="plan">This evaluation's decisions (usable).</param>
    /// <param name="cluster">The cluster as ingested: Services, endpoints, Node networks, Service ranges.</param>
    /// <param name="node">This node.</param>
    /// <param name="extraExcluded">--egress-exclude: more destinations that keep the pod's own source.</param>
    public static EgressBuild Build(SpeakerPlan plan, PlanInput cluster, string node, ImmutableArray<IPNetwork> extraExcluded)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(cluster);
        var views = cluster.Services.ToDictionary(s => s.Key);
        var networks = cluster.NodeNetworks.ToDictionary(n => n.Name, StringComparer.Ordinal);
        var entries = ImmutableArray.CreateBuilder<EgressEntry>();
        var services = ImmutableArray.CreateBuilder<(ServiceKey, ImmutableArray<FamilyEgress>)>();
        var problems = ImmutableArray.CreateBuilder<EgressProblem>();
        foreach (var decision in plan.Services)
        {
            if (!views.TryGetValue(decision.Service, out var view) || !EgressSelection.IsRequested(view))
            {
                continue;
            }

            // The winner announces whatever this node's own reason is (an advertisement that leaves this node out
            // still has this node's pods send through the winner).
            var paths = EgressSelection.Paths(decision.Ips, decision.Winner);
            services.Add((decision.Service, paths));
            var endpoints = cluster.Endpoints.GetValueOrDefault(decision.Service)?.Endpoints ?? [];
            foreach (var path in paths.Where(p => p.Node is not null))
            {
                if (Entry(decision.Service, path, endpoints, node, networks, problems) is { } entry)
                {
                    entries.Add(entry);
                }
            }
        }

        var excluded = Excluded(cluster, extraExcluded, problems);
        return new EgressBuild(
            new EgressRuleSet
            {
                Entries = [.. entries.OrderBy(e => e.Service, StringComparer.Ordinal).ThenBy(e => e.Family)],
                Excluded = entries.Count == 0 ? [] : excluded,
            },
            services.ToImmutable(),
            problems.ToImmutable());
    }

    private static EgressEntry? Entry(
        ServiceKey service,
        FamilyEgress path,
        ImmutableArray<Core.Announcement.EndpointView> endpoints,
        string node,
        Dictionary<string, NodeNetwork> networks,
        ImmutableArray<EgressProblem>.Builder problems)
    {
        var family = path.Family == IpFamily.IPv4 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
        var translate = string.Equals(path.Node, node, StringComparison.Ordinal);
        // The announcing node translates every endpoint's packets (other nodes send theirs to it); another node
        // steers only its own pods' packets. An endpoint without a node could be anywhere, so every node takes it.
        var sources = endpoints
            .Where(e => translate || e.NodeName is null || string.Equals(e.NodeName, node, StringComparison.Ordinal))
            .SelectMany(e => e.Addresses)
            .Select(text => IPAddress.TryParse(text, out var ip) ? ip : null)
            .OfType<IPAddress>()
            .Where(ip => ip.AddressFamily == family)
            .Distinct()
            .OrderBy(ip => ip.GetAddressBytes(), ByteOrder.Instance)
            .ToImmutableArray();
        if (sources.IsEmpty)
        {
            return null;
        }

        IPAddress? nextHop = null;
        if (!translate)
        {
            nextHop = networks.GetValueOrDefault(path.Node!)?.InternalIps
                .Select(text => IPAddress.TryParse(text, out var ip) ? ip : null)
                .FirstOrDefault(ip => ip?.AddressFamily == family);
            if (nextHop is null)
            {
                problems.Add(new EgressProblem(service, $"node {path.Node} announces {path.Address} but has no {path.Family} InternalIP to send this node's {path.Family} egress to; it leaves with the pods' own addresses"));
                return null;
            }
        }

        return new EgressEntry
        {
            Service = service.ToString(),
            Family = family,
            ServiceAddress = IPAddress.Parse(path.Address.ToString()),
            Sources = sources,
            Role = translate ? EgressRole.Translate : EgressRole.Steer,
            NextHop = nextHop,
        };
    }

    /// <summary>
    /// Destinations inside the cluster: every Node's pod ranges and InternalIPs, the Service ranges, the
    /// load-balancer addresses of every Service (kube-proxy turns those into pod addresses inside the node), and
    /// the configured extras. Sorted and without duplicates, so the same cluster gives the same set.
    /// </summary>
    private static ImmutableArray<IPNetwork> Excluded(PlanInput cluster, ImmutableArray<IPNetwork> extra, ImmutableArray<EgressProblem>.Builder problems)
    {
        var networks = new HashSet<IPNetwork>();
        foreach (var node in cluster.NodeNetworks)
        {
            foreach (var cidr in node.PodCidrs)
            {
                Add(cidr, $"node {node.Name}: spec.podCIDRs");
            }

            foreach (var ip in node.InternalIps)
            {
                Add(ip, $"node {node.Name}: InternalIP");
            }
        }

        foreach (var cidr in cluster.ServiceCidrs)
        {
            Add(cidr, "Service range");
        }

        foreach (var ip in cluster.Services.Where(s => s.IsLoadBalancer).SelectMany(s => s.IngressIps).Where(ip => ip.Length > 0))
        {
            Add(ip, "load-balancer address");
        }

        networks.UnionWith(extra.IsDefault ? [] : extra);
        return [.. networks.OrderBy(n => n.BaseAddress.AddressFamily).ThenBy(n => n.BaseAddress.GetAddressBytes(), ByteOrder.Instance).ThenBy(n => n.PrefixLength)];

        void Add(string text, string what)
        {
            if (IPNetwork.TryParse(text, out var network))
            {
                networks.Add(network);
            }
            else if (IPAddress.TryParse(text, out var address))
            {
                networks.Add(new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                problems.Add(new EgressProblem(null, $"{what} '{text}' is neither an address nor a CIDR; egress cannot keep traffic to it inside the cluster"));
            }
        }
    }

    /// <summary>Network byte order: addresses sort as numbers.</summary>
    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static ByteOrder Instance { get; } = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
