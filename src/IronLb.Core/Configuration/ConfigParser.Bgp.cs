using System.Collections.Immutable;

namespace IronLb.Core.Configuration;

// BGP mode's objects (MetalLB's peersFor, communitiesFromCrs, bgpAdvertisementFromCR, validateBGPAdvPerPool):
// BGPPeers, Community aliases and BGPAdvertisements, with MetalLB's messages first in each text so they can
// be searched for, and our explanation after them. Every rule runs on every object; the caller applies the
// result only when no object anywhere has an error.
public static partial class ConfigParser
{
    private const long MaxAsn = uint.MaxValue;
    private const int MaxPeerPort = 16384;
    private const int MaxHoldTimeSeconds = ushort.MaxValue;

    /// <summary>Every BGPPeer name, and those of the valid peers IronLB drops (they use a field it does not implement).</summary>
    private sealed record PeerNames(HashSet<string> Declared, HashSet<string> Dropped);

    private sealed record ParsedBgpAdvertisement(BgpAdvertisementResource Resource, BgpAdvertisement Advertisement, ImmutableArray<LabelSelector> PoolSelectors);

    private static (List<AddressPool> Pools, ImmutableArray<BgpPeer> Peers) ParseBgp(
        ClusterResources resources, List<AddressPool> pools, List<ConfigError> errors, List<ConfigError> warnings)
    {
        var (communities, declaredAliases) = ParseCommunities(resources, errors);
        var dropped = new HashSet<string>(StringComparer.Ordinal);
        var peers = ParsePeers(resources, errors, warnings, dropped);
        var declaredPeers = resources.BgpPeers.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var advertisements = ParseBgpAdvertisements(resources, communities, declaredAliases, peers, new PeerNames(declaredPeers, dropped), errors, warnings);
        var declaredPools = resources.Pools.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        return (AttachBgpAdvertisements(resources, pools, advertisements, declaredPools, errors, warnings), [.. peers]);
    }

    private static (Dictionary<string, BgpCommunity> Aliases, HashSet<string> Declared) ParseCommunities(ClusterResources resources, List<ConfigError> errors)
    {
        var aliases = new Dictionary<string, BgpCommunity>(StringComparer.Ordinal);
        var declared = new HashSet<string>(StringComparer.Ordinal);
        foreach (var resource in resources.Communities)
        {
            if (!InConfigNamespace(resources, resource.Ref, errors))
            {
                continue;
            }

            var problems = new Problems(resource.Ref);
            var parsed = new List<(string Name, BgpCommunity Value)>();
            var entries = resource.Communities.IsDefault ? [] : resource.Communities;
            for (var index = 0; index < entries.Length; index++)
            {
                var (name, value) = entries[index];
                var at = $"spec.communities[{index}]";
                if (string.IsNullOrEmpty(name))
                {
                    problems.Add($"community alias #{index + 1} has no name", $"{at}.name");
                    continue;
                }

                if (!BgpCommunity.TryParse(value ?? string.Empty, out var community, out var error, out _))
                {
                    problems.Add($"parsing community \"{name}\": {error}", $"{at}.value");
                }

                // Names are global: an advertisement refers to an alias by name alone, whichever object defines it.
                if (!declared.Add(name))
                {
                    problems.Add($"duplicate definition of community \"{name}\"", $"{at}.name");
                    continue;
                }

                parsed.Add((name, community));
            }

            if (problems.Any)
            {
                errors.AddRange(problems.Found);
                continue;
            }

            foreach (var (name, value) in parsed)
            {
                aliases[name] = value;
            }
        }

        return (aliases, declared);
    }

    /// <summary>A list field with its duplicates reported (MetalLB's validateDuplicate), as written otherwise.</summary>
    private static ImmutableArray<string> Distinct(ImmutableArray<string> values, string what, string field, Problems problems)
    {
        var listed = values.IsDefault ? [] : values;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 0; index < listed.Length; index++)
        {
            if (!seen.Add(listed[index]))
            {
                problems.Add($"duplicate definition of {what} \"{listed[index]}\"", $"spec.{field}[{index}]");
            }
        }

        return listed;
    }

    /// <summary>An alias name first (MetalLB looks aliases up before parsing), then A:B or large:G:L1:L2.</summary>
    private static BgpCommunity? ResolveCommunity(string text, Dictionary<string, BgpCommunity> aliases, HashSet<string> declared, out string error)
    {
        error = string.Empty;
        if (aliases.TryGetValue(text, out var aliased))
        {
            return aliased;
        }

        if (declared.Contains(text))
        {
            error = $"the Community alias \"{text}\" is invalid (see its errors)";
            return null;
        }

        if (BgpCommunity.TryParse(text, out var community, out error, out var badFormat))
        {
            return community;
        }

        if (badFormat)
        {
            // MetalLB waits for such an alias to appear (a transient error); a manifest set that never defines it stays broken.
            var known = aliases.Count == 0
                ? "there are no Community aliases"
                : $"the Community aliases are {string.Join(", ", aliases.Keys.Order(StringComparer.Ordinal).Take(10))}{(aliases.Count > 10 ? ", ..." : "")}";
            error = $"{error}: it is neither A:B nor large:G:L1:L2, and no Community object names it ({known})";
        }

        return null;
    }
}
