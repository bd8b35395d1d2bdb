using System.Collections.Immutable;
using IronLb.Core.Addressing;
using IronLb.Core.Allocation;
using IronLb.Core.Configuration;

namespace IronLb.Core.Announcement;

/// <summary>
/// One route a node sends to one peer: the prefix and its path attributes. LocalPref is set only toward iBGP
/// peers and only when the advertisement gives a non-zero value (0 means unset, as in MetalLB's FRR modes,
/// so the router's default applies). Communities are standard ones, LargeCommunities large ones, each sorted.
/// </summary>
public sealed record BgpRoute(
    string Peer,
    Cidr Prefix,
    uint? LocalPref,
    ImmutableArray<BgpCommunity> Communities,
    ImmutableArray<BgpCommunity> LargeCommunities)
{
    public bool Equals(BgpRoute? other) =>
        other is not null
        && string.Equals(Peer, other.Peer, StringComparison.Ordinal)
        && Prefix == other.Prefix
        && LocalPref == other.LocalPref
        && Communities.SequenceEqual(other.Communities)
        && LargeCommunities.SequenceEqual(other.LargeCommunities);

    public override int GetHashCode() => HashCode.Combine(StringComparer.Ordinal.GetHashCode(Peer), Prefix, LocalPref, Communities.Length, LargeCommunities.Length);

    public override string ToString()
    {
        var attributes = new List<string>();
        if (LocalPref is { } localPref)
        {
            attributes.Add($"localPref {localPref}");
        }

        attributes.AddRange(Communities.Concat(LargeCommunities).Select(c => c.ToString()));
        return attributes.Count == 0 ? $"{Prefix} to {Peer}" : $"{Prefix} to {Peer} ({string.Join(", ", attributes)})";
    }
}

/// <summary>One node's BGP decision for one Service: Announce with its routes (peer, then prefix order), or why not.</summary>
public sealed record NodeBgpAnnouncement(string Node, BgpAnnounceDecision Decision, ImmutableArray<BgpRoute> Routes)
{
    public bool Equals(NodeBgpAnnouncement? other) =>
        other is not null && string.Equals(Node, other.Node, StringComparison.Ordinal) && Decision == other.Decision && Routes.SequenceEqual(other.Routes);

    public override int GetHashCode() => HashCode.Combine(StringComparer.Ordinal.GetHashCode(Node), Decision, Routes.Length);
}

/// <summary>
/// A Service's BGP announcement across the cluster. Decision is the Service-level verdict (the address checks);
/// when it is Announce, Nodes holds every node's own decision in node-name order.
/// </summary>
public sealed record BgpServiceAnnouncement(
    BgpAnnounceDecision Decision,
    ImmutableArray<Address> Ips,
    string? Pool,
    ImmutableArray<NodeBgpAnnouncement> Nodes)
{
    /// <summary>The nodes that announce, with their routes.</summary>
    public IEnumerable<NodeBgpAnnouncement> Announcing => Nodes.Where(n => n.Decision == BgpAnnounceDecision.Announce);
}

/// <summary>
/// MetalLB's BGP mode (speaker/bgp_controller.go ShouldAnnounce and its route construction, metallb-bgp.md §3):
/// every node decides for itself with no election. A node announces when an advertisement of the Service's pool
/// includes it and selects the Service, its network is available, it is not excluded from load balancers, and
/// an endpoint can serve (on this node, for externalTrafficPolicy Local). Each address becomes, per matching
/// advertisement, a prefix of the advertisement's aggregation length; each prefix goes to every session on the
/// node (peers whose nodeSelectors pick it) that the advertisement's peers list allows and that carries its family.
/// Pure and deterministic: the same inputs give the same routes in the same order.
/// </summary>
public static class BgpAnnouncement
{
    /// <summary>Every known node's decision for the Service (what `plan` shows, and the property tests' view).</summary>
    /// <param name="service">The Service with its status.</param>
    /// <param name="config">The configuration, with its Node objects and BGPPeers.</param>
    /// <param name="endpoints">The Service's endpoints.</param>
    /// <param name="ignoreExcludeLabel">--ignore-exclude-lb.</param>
    public static BgpServiceAnnouncement Decide(ServiceView service, LoadBalancerConfig config, ServiceEndpoints endpoints, bool ignoreExcludeLabel = false)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(endpoints);
        var (decision, ips, pool) = ServiceAddresses(service, config);
        if (pool is null)
        {
            return new BgpServiceAnnouncement(decision, ips, null, []);
        }

        var nodes = config.Nodes.Select(n => DecideNode(n, service, ips, pool, config.BgpPeers, endpoints, ignoreExcludeLabel));
        return new BgpServiceAnnouncement(BgpAnnounceDecision.Announce, ips, pool.Name, [.. nodes]);
    }

    /// <summary>One node's decision, as that node's speaker computes it. A node missing from the config's Node objects has no labels and no conditions.</summary>
    public static NodeBgpAnnouncement DecideForNode(string node, ServiceView service, LoadBalancerConfig config, ServiceEndpoints endpoints, bool ignoreExcludeLabel = false)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(endpoints);
        var (decision, ips, pool) = ServiceAddresses(service, config);
        if (pool is null)
        {
            return new NodeBgpAnnouncement(node, decision, []);
        }

        var resource = config.Nodes.FirstOrDefault(n => string.Equals(n.Name, node, StringComparison.Ordinal))
            ?? new NodeResource(node, ImmutableDictionary<string, string>.Empty);
        return DecideNode(resource, service, ips, pool, config.BgpPeers, endpoints, ignoreExcludeLabel);
    }

    // The address checks every mode shares (MetalLB's handleService), as ServiceAnnouncement makes them for Layer 2.
    private static (BgpAnnounceDecision Decision, ImmutableArray<Address> Ips, AddressPool? Pool) ServiceAddresses(ServiceView service, LoadBalancerConfig config)
    {
        if (!service.IsLoadBalancer)
        {
            return (BgpAnnounceDecision.NotLoadBalancer, [], null);
        }

        var texts = service.IngressIps.IsDefault ? [] : service.IngressIps.Where(ip => ip.Length > 0).ToList();
        if (texts.Count == 0)
        {
            return (BgpAnnounceDecision.NoIpAllocated, [], null);
        }

        var ips = ImmutableArray.CreateBuilder<Address>(texts.Count);
        foreach (var text in texts)
        {
            if (!Address.TryParse(text, out var ip))
            {
                return (BgpAnnounceDecision.InvalidIp, [], null);
            }

            ips.Add(ip);
        }

        var pool = config.Pools.FirstOrDefault(p => ips.All(ip => p.Cidrs.Any(c => c.Contains(ip))));
        return pool is null
            ? (BgpAnnounceDecision.IpNotAllowed, ips.ToImmutable(), null)
            : (BgpAnnounceDecision.Announce, ips.ToImmutable(), pool);
    }

    private static NodeBgpAnnouncement DecideNode(
        NodeResource node,
        ServiceView service,
        ImmutableArray<Address> ips,
        AddressPool pool,
        ImmutableArray<BgpPeer> peers,
        ServiceEndpoints endpoints,
        bool ignoreExcludeLabel)
    {
        var decision = Eligibility(node, service, pool, endpoints, ignoreExcludeLabel, out var advertisements);
        if (decision != BgpAnnounceDecision.Announce)
        {
            return new NodeBgpAnnouncement(node.Name, decision, []);
        }

        var sessions = peers.Where(p => p.SelectsNode(node.Labels)).ToList();
        var merged = new SortedDictionary<(string Peer, Cidr Prefix), (HashSet<uint?> LocalPrefs, SortedSet<BgpCommunity> Communities)>(RouteKeyOrder.Instance);
        foreach (var ip in ips)
        {
            foreach (var advertisement in advertisements)
            {
                var prefix = advertisement.PrefixFor(ip);
                foreach (var peer in sessions)
                {
                    if (!advertisement.IncludesPeer(peer.Name) || !peer.Carries(ip.Family))
                    {
                        continue;
                    }

                    // The same prefix from two advertisements (or two addresses in one aggregate) is one route:
                    // communities are unioned, as MetalLB v0.16's native speaker does; LOCAL_PREF must agree.
                    var key = (peer.Name, prefix);
                    if (!merged.TryGetValue(key, out var route))
                    {
                        route = ([], []);
                        merged[key] = route;
                    }

                    route.LocalPrefs.Add(peer.IsInternal && advertisement.LocalPref != 0 ? advertisement.LocalPref : null);
                    route.Communities.UnionWith(advertisement.Communities);
                }
            }
        }

        if (merged.Values.Any(r => r.LocalPrefs.Count > 1))
        {
            return new NodeBgpAnnouncement(node.Name, BgpAnnounceDecision.ConflictingAdvertisements, []);
        }

        if (merged.Count == 0)
        {
            return new NodeBgpAnnouncement(node.Name, BgpAnnounceDecision.NoPeers, []);
        }

        var routes = merged.Select(r => new BgpRoute(
            r.Key.Peer,
            r.Key.Prefix,
            r.Value.LocalPrefs.Single(),
            [.. r.Value.Communities.Where(c => !c.IsLarge)],
            [.. r.Value.Communities.Where(c => c.IsLarge)]));
        return new NodeBgpAnnouncement(node.Name, BgpAnnounceDecision.Announce, [.. routes]);
    }

    // MetalLB's order of checks: the pool's advertisements, the node's state, then the endpoints.
    private static BgpAnnounceDecision Eligibility(
        NodeResource node,
        ServiceView service,
        AddressPool pool,
        ServiceEndpoints endpoints,
        bool ignoreExcludeLabel,
        out List<BgpAdvertisement> advertisements)
    {
        advertisements = [];
        var onNode = pool.BgpAdvertisements.Where(a => a.IncludesNode(node.Name)).ToList();
        if (onNode.Count == 0)
        {
            return BgpAnnounceDecision.NotOwner;
        }

        advertisements = [.. onNode.Where(a => a.MatchesService(service.Labels))];
        if (advertisements.Count == 0)
        {
            return BgpAnnounceDecision.NoMatchingAdvertisement;
        }

        if (node.NetworkUnavailable)
        {
            return BgpAnnounceDecision.NodeNetworkUnavailable;
        }

        if (!ignoreExcludeLabel && node.Labels.ContainsKey(L2Election.ExcludeFromLoadBalancersLabel))
        {
            return BgpAnnounceDecision.NodeLabeledExcludeBalancers;
        }

        var serving = (endpoints.Endpoints.IsDefault ? [] : endpoints.Endpoints).Where(e => e.CanServe).ToList();
        if (service.ExternalTrafficPolicyLocal && !serving.Any(e => string.Equals(e.NodeName, node.Name, StringComparison.Ordinal)))
        {
            return BgpAnnounceDecision.NoLocalEndpoints;
        }

        return serving.Count == 0 ? BgpAnnounceDecision.NoEndpoints : BgpAnnounceDecision.Announce;
    }

    /// <summary>Peer name (ordinal), then IPv4 before IPv6, then address, then prefix length.</summary>
    private sealed class RouteKeyOrder : IComparer<(string Peer, Cidr Prefix)>
    {
        public static RouteKeyOrder Instance { get; } = new();

        public int Compare((string Peer, Cidr Prefix) x, (string Peer, Cidr Prefix) y)
        {
            var order = string.CompareOrdinal(x.Peer, y.Peer);
            if (order == 0)
            {
                order = x.Prefix.First.CompareTo(y.Prefix.First);
            }

            return order != 0 ? order : x.Prefix.PrefixLength.CompareTo(y.Prefix.PrefixLength);
        }
    }
}
