using System.Globalization;
using IronLb.Core.Addressing;

namespace IronLb.Core.Configuration;

/// <summary>
/// The part of a message that tells a user which pools exist, so a typo or an address outside every pool
/// can be fixed without opening the pool manifests. Lists are capped so a cluster with many pools (or a
/// pool with many prefixes) still gets a one-line message.
/// </summary>
public static class PoolMessages
{
    private const int MaxPools = 6;
    private const int MaxPrefixesPerPool = 3;

    /// <summary>"the pools are external and office", "the only pool is external", "there are no pools".</summary>
    public static string Existing(IEnumerable<string> poolNames)
    {
        ArgumentNullException.ThrowIfNull(poolNames);
        var names = poolNames.Order(StringComparer.Ordinal).ToList();
        return names.Count switch
        {
            0 => "there are no pools",
            1 => $"the only pool is {names[0]}",
            _ => $"the pools are {Join(names, MaxPools * 2, "pools")}",
        };
    }

    /// <summary>
    /// Why no single pool holds all of <paramref name="ips"/>, for the end of MetalLB's
    /// `["ip"] is not allowed in config` (whose text stays first, because people search for it).
    /// </summary>
    public static string WhyInNoPool(LoadBalancerConfig config, IReadOnlyList<Address> ips)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(ips);
        if (config.Pools.IsEmpty)
        {
            return "there are no pools";
        }

        if (ips.Count == 0)
        {
            return "no address was given";
        }

        var reasons = new List<string>();
        var homeless = ips.Where(ip => !config.Pools.Any(p => p.Cidrs.Any(c => c.Contains(ip)))).ToList();
        if (homeless.Count > 0)
        {
            var families = homeless.Select(ip => ip.Family).Distinct().ToList();
            var subject = homeless.Count == 1 ? $"{homeless[0]} is" : $"{string.Join(" and ", homeless)} are";
            reasons.Add($"{subject} in none of the pools: {Prefixes(config, families)}");
        }

        foreach (var ip in ips.Except(homeless))
        {
            if (config.Pools.FirstOrDefault(p => p.AvoidBuggyIps && ip.IsBuggy && p.Cidrs.Any(c => c.Contains(ip))) is { } pool)
            {
                reasons.Add($"{ip} is excluded from pool {pool.Name} by avoidBuggyIPs (no .0 or .255 address)");
            }
        }

        if (reasons.Count == 0)
        {
            // Each address is in a pool, just not the same one.
            var homes = ips.Select(ip => $"{ip} is in pool {config.Pools.First(p => p.Contains(ip)).Name}");
            reasons.Add($"{string.Join(" but ", homes)}; a Service's addresses must all come from one pool");
        }

        return string.Join("; ", reasons);
    }

    /// <summary>"external (141.89.58.175/32, 141.89.58.180/30 and 6 more), office (10.1.0.0/16)", only the families asked about.</summary>
    private static string Prefixes(LoadBalancerConfig config, List<IpFamily> families)
    {
        var described = config.Pools
            .Select(p => (p.Name, Prefixes: p.Cidrs.Where(c => families.Contains(c.Family)).Select(c => c.ToString()).ToList()))
            .Where(p => p.Prefixes.Count > 0)
            .Select(p => $"{p.Name} ({Join(p.Prefixes, MaxPrefixesPerPool, "", ", ")})")
            .ToList();
        if (described.Count == 0)
        {
            var family = families.Count == 1 ? families[0] == IpFamily.IPv4 ? "IPv4 " : "IPv6 " : "";
            return $"no pool has {family}addresses ({Existing(config.Pools.Select(p => p.Name))})";
        }

        return Join(described, MaxPools, "pools");
    }

    /// <summary>"a, b and c" (or "a, b, c" with <paramref name="last"/> ", "), or "a, b, c and 4 more pools" past <paramref name="max"/> items (<paramref name="noun"/> is plural).</summary>
    private static string Join(List<string> items, int max, string noun, string last = " and ")
    {
        if (items.Count > max)
        {
            var rest = items.Count - max;
            var counted = noun.Length == 0 ? "" : rest == 1 ? $" {noun[..^1]}" : $" {noun}";
            return string.Create(CultureInfo.InvariantCulture, $"{string.Join(", ", items.Take(max))} and {rest} more{counted}");
        }

        return items.Count == 1 ? items[0] : $"{string.Join(", ", items.Take(items.Count - 1))}{last}{items[^1]}";
    }
}
