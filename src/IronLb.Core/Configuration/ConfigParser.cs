using System.Collections.Immutable;
using IronLb.Core.Addressing;

namespace IronLb.Core.Configuration;

/// <summary>
/// The pure parser from cluster objects to a configuration (MetalLB's config.For). Every rule runs on
/// every object without stopping at the first failure, so one pass reports all errors, each naming its object.
/// </summary>
public static class ConfigParser
{
    public static ConfigParseResult Parse(ClusterResources resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var errors = new List<ConfigError>();
        var warnings = new List<ConfigError>();

        var pools = ParsePools(resources, errors);
        var advertisements = ParseAdvertisements(resources, errors);
        var declared = resources.Pools.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        pools = AttachAdvertisements(pools, advertisements, declared, warnings);

        var partial = new LoadBalancerConfig(pools, resources.Nodes);
        return new ConfigParseResult(errors.Count == 0 ? partial : null, partial, [.. errors], [.. warnings]);
    }

    private static bool InConfigNamespace(ClusterResources resources, ObjectRef obj, List<ConfigError> errors)
    {
        // A manifest without metadata.namespace lands wherever it is applied (kubectl -n, kustomize): accept it.
        if (resources.ConfigNamespace is null || obj.Namespace is null || string.Equals(obj.Namespace, resources.ConfigNamespace, StringComparison.Ordinal))
        {
            return true;
        }

        errors.Add(new ConfigError(obj, $"resource must be created in {resources.ConfigNamespace} namespace, not \"{obj.Namespace}\""));
        return false;
    }

    private static List<AddressPool> ParsePools(ClusterResources resources, List<ConfigError> errors)
    {
        var pools = new List<AddressPool>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var defined = new List<(Cidr Cidr, string Pool)>();
        foreach (var resource in resources.Pools)
        {
            if (!InConfigNamespace(resources, resource.Ref, errors))
            {
                continue;
            }

            var problems = new List<string>();
            if (string.IsNullOrEmpty(resource.Name))
            {
                problems.Add("missing pool name");
            }
            else if (!names.Add(resource.Name))
            {
                problems.Add($"duplicate definition of pool \"{resource.Name}\"");
            }

            var cidrs = ParseAddresses(resource, defined, problems);
            var allocation = resource.ServiceAllocation is null ? null : ParseAllocation(resource.ServiceAllocation, resources.Namespaces, problems);
            if (problems.Count > 0)
            {
                errors.AddRange(problems.Select(p => new ConfigError(resource.Ref, p)));
                continue;
            }

            pools.Add(new AddressPool
            {
                Name = resource.Name,
                Cidrs = cidrs,
                AutoAssign = resource.AutoAssign ?? true,
                AvoidBuggyIps = resource.AvoidBuggyIps,
                Allocation = allocation,
                Labels = resource.Labels,
            });
        }

        return pools;
    }

    private static ImmutableArray<Cidr> ParseAddresses(IpAddressPoolResource resource, List<(Cidr Cidr, string Pool)> defined, List<string> problems)
    {
        if (resource.Addresses.IsDefaultOrEmpty)
        {
            problems.Add("pool has no prefixes defined");
            return [];
        }

        var cidrs = ImmutableArray.CreateBuilder<Cidr>();
        foreach (var entry in resource.Addresses)
        {
            if (!PoolAddressParser.TryParse(entry, out var parsed, out var error))
            {
                problems.Add($"invalid CIDR \"{entry}\" in pool \"{resource.Name}\": {error}");
                continue;
            }

            foreach (var cidr in parsed)
            {
                // Overlap with any prefix seen so far, in this pool or another; the text is asserted by MetalLB's e2e tests.
                foreach (var (other, pool) in defined)
                {
                    if (cidr.Overlaps(other))
                    {
                        problems.Add($"CIDR \"{cidr}\" in pool \"{resource.Name}\" overlaps with already defined CIDR \"{other}\" (pool \"{pool}\")");
                    }
                }

                defined.Add((cidr, resource.Name));
                cidrs.Add(cidr);
            }
        }

        return cidrs.ToImmutable();
    }

    private static PoolAllocation ParseAllocation(ServiceAllocationSpec spec, ImmutableArray<NamespaceResource> namespaces, List<string> problems)
    {
        var names = ImmutableSortedSet.CreateBuilder<string>(StringComparer.Ordinal);
        foreach (var name in spec.Namespaces.IsDefault ? [] : spec.Namespaces)
        {
            if (!names.Add(name))
            {
                problems.Add($"duplicate definition in namespaces field: \"{name}\"");
            }
        }

        var namespaceSelectors = CompileSelectors(spec.NamespaceSelectors, "namespaceSelectors", problems);
        foreach (var ns in namespaces)
        {
            if (namespaceSelectors.Any(s => s.Matches(ns.Labels)))
            {
                names.Add(ns.Name);
            }
        }

        var serviceSelectors = CompileSelectors(spec.ServiceSelectors, "serviceSelectors", problems);

        // Only a priority given: the pool is for every service (MetalLB 0.15.0, issue 2656).
        if (spec.Namespaces.IsDefaultOrEmpty && spec.NamespaceSelectors.IsDefaultOrEmpty && spec.ServiceSelectors.IsDefaultOrEmpty)
        {
            serviceSelectors = [LabelSelector.Everything];
        }

        return new PoolAllocation(spec.Priority, names.ToImmutable(), serviceSelectors);
    }

    internal static ImmutableArray<LabelSelector> CompileSelectors(ImmutableArray<LabelSelectorSpec> specs, string field, List<string> problems)
    {
        if (specs.IsDefaultOrEmpty)
        {
            return [];
        }

        var selectors = ImmutableArray.CreateBuilder<LabelSelector>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            var selectorProblems = new List<string>();
            var selector = LabelSelector.TryCompile(spec, selectorProblems);
            problems.AddRange(selectorProblems.Select(p => $"invalid selector in {field}: {p}"));
            if (selector is null)
            {
                continue;
            }

            if (!seen.Add(selector.Canonical))
            {
                problems.Add($"duplicate definition of {field}: \"{selector.Canonical}\"");
                continue;
            }

            selectors.Add(selector);
        }

        return selectors.ToImmutable();
    }

    private sealed record ParsedAdvertisement(L2AdvertisementResource Resource, L2Advertisement Advertisement, ImmutableArray<LabelSelector> PoolSelectors);

    private static List<ParsedAdvertisement> ParseAdvertisements(ClusterResources resources, List<ConfigError> errors)
    {
        var parsed = new List<ParsedAdvertisement>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var resource in resources.L2Advertisements)
        {
            if (!InConfigNamespace(resources, resource.Ref, errors))
            {
                continue;
            }

            var problems = new List<string>();
            if (!names.Add(resource.Name))
            {
                problems.Add($"duplicate definition of L2Advertisement \"{resource.Name}\"");
            }

            var poolNames = new HashSet<string>(StringComparer.Ordinal);
            foreach (var pool in resource.IpAddressPools.IsDefault ? [] : resource.IpAddressPools)
            {
                if (!poolNames.Add(pool))
                {
                    problems.Add($"duplicate definition of ipAddressPools: \"{pool}\"");
                }
            }

            var poolSelectors = CompileSelectors(resource.IpAddressPoolSelectors, "ipAddressPoolSelectors", problems);
            var nodeSelectors = CompileSelectors(resource.NodeSelectors, "nodeSelectors", problems);
            var serviceSelectors = CompileSelectors(resource.ServiceSelectors, "serviceSelectors", problems);
            var interfaces = resource.Interfaces.IsDefault ? [] : resource.Interfaces;
            foreach (var name in interfaces.Where(string.IsNullOrWhiteSpace))
            {
                problems.Add($"invalid interface name \"{name}\"");
            }

            if (problems.Count > 0)
            {
                errors.AddRange(problems.Select(p => new ConfigError(resource.Ref, p)));
                continue;
            }

            // Node selectors resolve against the Node objects now; a label change means a re-parse.
            ImmutableSortedSet<string>? nodes = nodeSelectors.IsEmpty
                ? null
                : [.. resources.Nodes.Where(n => nodeSelectors.Any(s => s.Matches(n.Labels))).Select(n => n.Name)];
            var advertisement = new L2Advertisement(resource.Name, nodes, [.. interfaces], serviceSelectors);
            parsed.Add(new ParsedAdvertisement(resource, advertisement, poolSelectors));
        }

        return parsed;
    }

    private static List<AddressPool> AttachAdvertisements(List<AddressPool> pools, List<ParsedAdvertisement> advertisements, HashSet<string> declared, List<ConfigError> warnings)
    {
        var attached = pools.ToDictionary(p => p.Name, _ => new List<L2Advertisement>(), StringComparer.Ordinal);
        foreach (var (resource, advertisement, poolSelectors) in advertisements)
        {
            var named = resource.IpAddressPools.IsDefault ? [] : resource.IpAddressPools;
            IEnumerable<AddressPool> targets = named.IsEmpty && poolSelectors.IsEmpty
                ? pools
                : pools.Where(p => named.Contains(p.Name, StringComparer.Ordinal) || poolSelectors.Any(s => s.Matches(p.Labels)));

            foreach (var missing in named.Where(n => !attached.ContainsKey(n)))
            {
                warnings.Add(new ConfigError(resource.Ref, declared.Contains(missing)
                    ? $"ipAddressPools names pool \"{missing}\", which is invalid"
                    : $"ipAddressPools names pool \"{missing}\", which does not exist"));
            }

            foreach (var pool in targets)
            {
                var list = attached[pool.Name];
                if (!list.Any(a => a.IsEquivalentTo(advertisement)))
                {
                    list.Add(advertisement);
                }
            }
        }

        return [.. pools.Select(p => p with { L2Advertisements = [.. attached[p.Name]] })];
    }
}
