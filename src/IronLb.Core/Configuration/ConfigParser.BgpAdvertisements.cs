using System.Collections.Immutable;
using System.Globalization;
using IronLb.Core.Addressing;

namespace IronLb.Core.Configuration;

// BGPAdvertisements (MetalLB's bgpAdvertisementFromCR and validateBGPAdvPerPool): their pools, peers and
// communities, and the per-pool checks of aggregation length and local preference.
public static partial class ConfigParser
{
    private static List<ParsedBgpAdvertisement> ParseBgpAdvertisements(
        ClusterResources resources,
        Dictionary<string, BgpCommunity> aliases,
        HashSet<string> declaredAliases,
        List<BgpPeer> peers,
        PeerNames declaredPeers,
        List<ConfigError> errors,
        List<ConfigError> warnings)
    {
        var parsed = new List<ParsedBgpAdvertisement>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var resource in resources.BgpAdvertisements)
        {
            if (!InConfigNamespace(resources, resource.Ref, errors))
            {
                continue;
            }

            var problems = new Problems(resource.Ref);
            if (!names.Add(resource.Name))
            {
                problems.Add($"duplicate definition of BGPAdvertisement \"{resource.Name}\"", "metadata.name");
            }

            var poolNames = Distinct(resource.IpAddressPools, "ipAddressPools", "ipAddressPools", problems);
            var communityTexts = Distinct(resource.Communities, "community", "communities", problems);
            var peerNames = Distinct(resource.Peers, "peers", "peers", problems);
            var poolSelectors = CompileSelectors(resource.IpAddressPoolSelectors, "ipAddressPoolSelectors", problems);
            var nodeSelectors = CompileSelectors(resource.NodeSelectors, "nodeSelectors", problems);
            var serviceSelectors = CompileSelectors(resource.ServiceSelectors, "serviceSelectors", problems);

            var length = resource.AggregationLength ?? BgpAdvertisement.DefaultAggregationLength;
            var lengthV6 = resource.AggregationLengthV6 ?? BgpAdvertisement.DefaultAggregationLengthV6;
            if (length is < 1 or > 32)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"invalid aggregation length {length} for IPv4: must be between 1 and 32"), "spec.aggregationLength");
            }

            if (lengthV6 is < 0 or > 128)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"invalid aggregation length {lengthV6} for IPv6: must be between 0 and 128"), "spec.aggregationLengthV6");
            }

            // An aggregate carries many Services, so it cannot follow one Service's labels (MetalLB v0.16).
            if (!resource.ServiceSelectors.IsDefaultOrEmpty)
            {
                if (length != BgpAdvertisement.DefaultAggregationLength)
                {
                    problems.Add($"serviceSelectors and aggregationLength are mutually exclusive, both cannot be set in {resource.Name}", "spec.aggregationLength");
                }

                if (lengthV6 != BgpAdvertisement.DefaultAggregationLengthV6)
                {
                    problems.Add($"serviceSelectors and aggregationLengthV6 are mutually exclusive, both cannot be set in {resource.Name}", "spec.aggregationLengthV6");
                }
            }

            if (resource.LocalPref is < 0 or > MaxAsn)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"invalid localPref {resource.LocalPref}: must be between 0 and {MaxAsn}"), "spec.localPref");
            }

            var communities = ImmutableSortedSet.CreateBuilder<BgpCommunity>();
            for (var index = 0; index < communityTexts.Length; index++)
            {
                var text = communityTexts[index];
                if (ResolveCommunity(text, aliases, declaredAliases, out var error) is { } community)
                {
                    communities.Add(community);
                }
                else
                {
                    problems.Add($"invalid community \"{text}\" in BGP advertisement: {error}", $"spec.communities[{index}]");
                }
            }

            if (problems.Any)
            {
                errors.AddRange(problems.Found);
                continue;
            }

            for (var index = 0; index < peerNames.Length; index++)
            {
                if (!peers.Any(p => string.Equals(p.Name, peerNames[index], StringComparison.Ordinal)))
                {
                    warnings.Add(MissingPeer(resource.Ref, peerNames[index], index, declaredPeers, peers));
                }
            }

            var advertisement = new BgpAdvertisement
            {
                Name = resource.Name,
                AggregationLength = length,
                AggregationLengthV6 = lengthV6,
                LocalPref = (uint)resource.LocalPref,
                Communities = [.. communities],
                Nodes = nodeSelectors.IsEmpty
                    ? null
                    : [.. resources.Nodes.Where(n => nodeSelectors.Any(s => s.Matches(n.Labels))).Select(n => n.Name)],
                Peers = ImmutableSortedSet.Create(StringComparer.Ordinal, [.. peerNames]),
                ServiceSelectors = serviceSelectors,
            };
            var reached = peers.Where(p => advertisement.IncludesPeer(p.Name)).ToList();
            if (advertisement.LocalPref != 0 && reached.Count > 0 && !reached.Any(p => p.IsInternal))
            {
                warnings.Add(new ConfigError(resource.Ref,
                    string.Create(CultureInfo.InvariantCulture, $"localPref {advertisement.LocalPref} has no effect: LOCAL_PREF goes to iBGP peers only (myASN equal to peerASN, or dynamicASN internal), and none of the peers this advertisement reaches is one"),
                    "spec.localPref"));
            }

            parsed.Add(new ParsedBgpAdvertisement(resource, advertisement, poolSelectors));
        }

        return parsed;
    }

    private static ConfigError MissingPeer(ObjectRef advertisement, string name, int index, PeerNames declared, List<BgpPeer> peers)
    {
        var why = declared.Dropped.Contains(name)
            ? "which opens no session (see its warning), so no session gets these routes from it"
            : declared.Declared.Contains(name)
            ? "which is invalid (see its errors), so no session gets these routes from it"
            : peers.Count == 0
                ? "which does not exist; there are no BGPPeers"
                : $"which does not exist; the BGPPeers are {string.Join(", ", peers.Select(p => p.Name).Take(10))}{(peers.Count > 10 ? ", ..." : "")}";
        return new ConfigError(advertisement, $"peers names BGPPeer \"{name}\", {why}", $"spec.peers[{index}]");
    }

    private static List<AddressPool> AttachBgpAdvertisements(
        ClusterResources resources,
        List<AddressPool> pools,
        List<ParsedBgpAdvertisement> advertisements,
        HashSet<string> declaredPools,
        List<ConfigError> errors,
        List<ConfigError> warnings)
    {
        var attached = pools.ToDictionary(p => p.Name, _ => new List<BgpAdvertisement>(), StringComparer.Ordinal);
        var entries = PoolEntries(resources, pools);
        foreach (var (resource, advertisement, poolSelectors) in advertisements)
        {
            var named = resource.IpAddressPools.IsDefault ? [] : resource.IpAddressPools;
            var targets = named.IsEmpty && poolSelectors.IsEmpty
                ? pools
                : [.. pools.Where(p => named.Contains(p.Name, StringComparer.Ordinal) || poolSelectors.Any(s => s.Matches(p.Labels)))];

            for (var index = 0; index < named.Length; index++)
            {
                if (!attached.ContainsKey(named[index]))
                {
                    warnings.Add(MissingPool(resource.Ref, named[index], index, declaredPools, pools));
                }
            }

            var problems = new Problems(resource.Ref);
            foreach (var pool in targets)
            {
                CheckAggregation(advertisement, pool.Name, entries[pool.Name], problems);
                CheckLocalPref(advertisement, pool, attached[pool.Name], problems);
            }

            if (problems.Any)
            {
                errors.AddRange(problems.Found);
                continue;
            }

            foreach (var pool in targets)
            {
                attached[pool.Name].Add(advertisement);
            }
        }

        return [.. pools.Select(p => p with { BgpAdvertisements = [.. attached[p.Name]] })];
    }

    /// <summary>Each valid pool's spec.addresses entries with the prefixes each was cut into (a range gives several).</summary>
    private static Dictionary<string, List<(string Entry, ImmutableArray<Cidr> Cidrs)>> PoolEntries(ClusterResources resources, List<AddressPool> pools)
    {
        var entries = new Dictionary<string, List<(string, ImmutableArray<Cidr>)>>(StringComparer.Ordinal);
        foreach (var pool in pools)
        {
            // The object this pool came from: a same-named one elsewhere (another namespace) was skipped.
            entries[pool.Name] = resources.Pools
                .Where(r => string.Equals(r.Name, pool.Name, StringComparison.Ordinal))
                .Select(r => r.Addresses.Select(e => (Entry: e, Ok: PoolAddressParser.TryParse(e, out var cidrs, out _), Cidrs: cidrs)).ToList())
                .Where(parsed => parsed.All(p => p.Ok) && parsed.SelectMany(p => p.Cidrs).SequenceEqual(pool.Cidrs))
                .Select(parsed => parsed.Select(p => (p.Entry, p.Cidrs)).ToList())
                .FirstOrDefault() ?? [];
        }

        return entries;
    }

    /// <summary>
    /// Aggregating to a prefix shorter than the pool's own would announce addresses the pool does not hold.
    /// For a range the shortest of its prefixes counts, as in MetalLB. (MetalLB prints the IPv4 length in
    /// the IPv6 case; we print the length that was compared.)
    /// </summary>
    private static void CheckAggregation(BgpAdvertisement advertisement, string pool, List<(string Entry, ImmutableArray<Cidr> Cidrs)> entries, Problems problems)
    {
        foreach (var (entry, cidrs) in entries)
        {
            if (cidrs.IsEmpty)
            {
                continue;
            }

            var length = advertisement.AggregationLengthFor(cidrs[0].Family);
            var shortest = cidrs.Min(c => c.PrefixLength);
            if (length < shortest)
            {
                var field = cidrs[0].Family == IpFamily.IPv4 ? "spec.aggregationLength" : "spec.aggregationLengthV6";
                problems.Add(string.Create(CultureInfo.InvariantCulture,
                    $"invalid aggregation length {length}: prefix {shortest} in this pool is more specific than the aggregation length for addresses {entry} (pool \"{pool}\")"), field);
            }
        }
    }

    /// <summary>
    /// MetalLB's BGPAdvertisementsHaveCompatibleLocalPref: two advertisements of one pool that could send the
    /// same prefix to the same peer from the same node must agree on LOCAL_PREF. They cannot collide when their
    /// aggregation lengths differ for every family the pool has, when both name peers and share none, or when
    /// their nodes are disjoint. Advertisements with serviceSelectors are left to the announcement, as in MetalLB.
    /// </summary>
    private static void CheckLocalPref(BgpAdvertisement advertisement, AddressPool pool, List<BgpAdvertisement> earlier, Problems problems)
    {
        if (!advertisement.ServiceSelectors.IsEmpty)
        {
            return;
        }

        foreach (var other in earlier)
        {
            if (!other.ServiceSelectors.IsEmpty || other.LocalPref == advertisement.LocalPref)
            {
                continue;
            }

            var hasV4 = pool.HasFamily(IpFamily.IPv4);
            var hasV6 = pool.HasFamily(IpFamily.IPv6);
            var lengthsDiffer = (!hasV4 || other.AggregationLength != advertisement.AggregationLength)
                && (!hasV6 || other.AggregationLengthV6 != advertisement.AggregationLengthV6);
            var peersDisjoint = !other.Peers.IsEmpty && !advertisement.Peers.IsEmpty && !other.Peers.Overlaps(advertisement.Peers);
            var nodesDisjoint = other.Nodes is not null && advertisement.Nodes is not null && !other.Nodes.Overlaps(advertisement.Nodes);
            if (lengthsDiffer || peersDisjoint || nodesDisjoint)
            {
                continue;
            }

            problems.Add(string.Create(CultureInfo.InvariantCulture,
                $"invalid local preference {advertisement.LocalPref}: local preference {other.LocalPref} was already set for the same type of BGP update by BGPAdvertisement \"{other.Name}\" on pool \"{pool.Name}\". Check existing BGP advertisements with common pools and aggregation lengths"),
                "spec.localPref");
        }
    }
}
