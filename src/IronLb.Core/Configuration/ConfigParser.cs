using System.Collections.Immutable;
using IronLb.Core.Addressing;

namespace IronLb.Core.Configuration;

/// <summary>
/// The pure parser from cluster objects to a configuration (MetalLB's config.For). Every rule runs on
/// every object without stopping at the first failure, so one pass reports all errors, each naming its object.
/// </summary>
public static partial class ConfigParser
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
        var (withBgp, peers) = ParseBgp(resources, pools, errors, warnings);

        var partial = new LoadBalancerConfig(withBgp, resources.Nodes) { BgpPeers = peers };
        return new ConfigParseResult(errors.Count == 0 ? partial : null, partial, [.. errors], [.. warnings]);
    }

    private static bool InConfigNamespace(ClusterResources resources, ObjectRef obj, List<ConfigError> errors)
    {
        // A manifest without metadata.namespace lands wherever it is applied (kubectl -n, kustomize): accept it.
        if (resources.ConfigNamespace is null || obj.Namespace is null || string.Equals(obj.Namespace, resources.ConfigNamespace, StringComparison.Ordinal))
        {
            return true;
        }

        errors.Add(new ConfigError(obj, $"resource must be created in {resources.ConfigNamespace} namespace, not \"{obj.Namespace}\"", "metadata.namespace"));
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

            var problems = new Problems(resource.Ref);
            if (string.IsNullOrEmpty(resource.Name))
            {
                problems.Add("missing pool name", "metadata.name");
            }
            else if (!names.Add(resource.Name))
            {
                problems.Add($"duplicate definition of pool \"{resource.Name}\"", "metadata.name");
            }

            var (cidrs, written) = ParseAddresses(resource, defined, problems);
            var allocation = resource.ServiceAllocation is null ? null : ParseAllocation(resource.ServiceAllocation, resources.Namespaces, problems);
            if (problems.Any)
            {
                errors.AddRange(problems.Found);
                continue;
            }

            pools.Add(new AddressPool
            {
                Name = resource.Name,
                Cidrs = cidrs,
                WrittenCidrs = written,
                AutoAssign = resource.AutoAssign ?? true,
                AvoidBuggyIps = resource.AvoidBuggyIps,
                Allocation = allocation,
                Labels = resource.Labels,
            });
        }

        return pools;
    }

    private static (ImmutableArray<Cidr> Cidrs, ImmutableArray<Cidr> Written) ParseAddresses(IpAddressPoolResource resource, List<(Cidr Cidr, string Pool)> defined, Problems problems)
    {
        if (resource.Addresses.IsDefaultOrEmpty)
        {
            problems.Add("pool has no prefixes defined", "spec.addresses");
            return ([], []);
        }

        var cidrs = ImmutableArray.CreateBuilder<Cidr>();
        var written = ImmutableArray.CreateBuilder<Cidr>();
        for (var index = 0; index < resource.Addresses.Length; index++)
        {
            var entry = resource.Addresses[index];
            var field = $"spec.addresses[{index}]";
            if (!PoolAddressParser.TryParse(entry, out var parsed, out var error))
            {
                problems.Add($"invalid CIDR \"{entry}\" in pool \"{resource.Name}\": {error}", field);
                continue;
            }

            if (!entry.Contains('-', StringComparison.Ordinal))
            {
                written.AddRange(parsed);
            }

            foreach (var cidr in parsed)
            {
                // Overlap with any prefix seen so far, in this pool or another; the text is asserted by MetalLB's e2e tests.
                foreach (var (other, pool) in defined)
                {
                    if (cidr.Overlaps(other))
                    {
                        problems.Add($"CIDR \"{cidr}\" in pool \"{resource.Name}\" overlaps with already defined CIDR \"{other}\" (pool \"{pool}\")", field);
                    }
                }

                defined.Add((cidr, resource.Name));
                cidrs.Add(cidr);
            }
        }

        return (cidrs.ToImmutable(), written.ToImmutable());
    }

    private static PoolAllocation ParseAllocation(ServiceAllocationSpec spec, ImmutableArray<NamespaceResource> namespaces, Problems problems)
    {
        const string path = "spec.serviceAllocation";
        var names = ImmutableSortedSet.CreateBuilder<string>(StringComparer.Ordinal);
        var listed = spec.Namespaces.IsDefault ? [] : spec.Namespaces;
        for (var index = 0; index < listed.Length; index++)
        {
            if (!names.Add(listed[index]))
            {
                problems.Add($"duplicate definition in namespaces field: \"{listed[index]}\"", $"{path}.namespaces[{index}]");
            }
        }

        var namespaceSelectors = CompileSelectors(spec.NamespaceSelectors, "namespaceSelectors", problems, path);
        foreach (var ns in namespaces)
        {
            if (namespaceSelectors.Any(s => s.Matches(ns.Labels)))
            {
                names.Add(ns.Name);
            }
        }

        var serviceSelectors = CompileSelectors(spec.ServiceSelectors, "serviceSelectors", problems, path);

        // Only a priority given: the pool is for every service (MetalLB 0.15.0, issue 2656).
        if (spec.Namespaces.IsDefaultOrEmpty && spec.NamespaceSelectors.IsDefaultOrEmpty && spec.ServiceSelectors.IsDefaultOrEmpty)
        {
            serviceSelectors = [LabelSelector.Everything];
        }

        return new PoolAllocation(spec.Priority, names.ToImmutable(), serviceSelectors);
    }

    /// <summary>Selectors compiled on their own (for tests and tools); each problem as text.</summary>
    internal static ImmutableArray<LabelSelector> CompileSelectors(ImmutableArray<LabelSelectorSpec> specs, string field, List<string> problems)
    {
        var found = new Problems(new ObjectRef("selectors", null, field));
        var selectors = CompileSelectors(specs, field, found);
        problems.AddRange(found.Found.Select(e => e.Message));
        return selectors;
    }

    private static ImmutableArray<LabelSelector> CompileSelectors(ImmutableArray<LabelSelectorSpec> specs, string field, Problems problems, string path = "spec")
    {
        if (specs.IsDefaultOrEmpty)
        {
            return [];
        }

        var selectors = ImmutableArray.CreateBuilder<LabelSelector>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 0; index < specs.Length; index++)
        {
            var at = $"{path}.{field}[{index}]";
            var selectorProblems = new List<string>();
            var selector = LabelSelector.TryCompile(specs[index], selectorProblems);
            foreach (var problem in selectorProblems)
            {
                problems.Add($"invalid selector in {field}: {problem}", at);
            }

            if (selector is null)
            {
                continue;
            }

            if (!seen.Add(selector.Canonical))
            {
                problems.Add($"duplicate definition of {field}: \"{selector.Canonical}\"", at);
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

            var problems = new Problems(resource.Ref);
            if (!names.Add(resource.Name))
            {
                problems.Add($"duplicate definition of L2Advertisement \"{resource.Name}\"", "metadata.name");
            }

            var poolNames = new HashSet<string>(StringComparer.Ordinal);
            var named = resource.IpAddressPools.IsDefault ? [] : resource.IpAddressPools;
            for (var index = 0; index < named.Length; index++)
            {
                if (!poolNames.Add(named[index]))
                {
                    problems.Add($"duplicate definition of ipAddressPools: \"{named[index]}\"", $"spec.ipAddressPools[{index}]");
                }
            }

            var poolSelectors = CompileSelectors(resource.IpAddressPoolSelectors, "ipAddressPoolSelectors", problems);
            var nodeSelectors = CompileSelectors(resource.NodeSelectors, "nodeSelectors", problems);
            var serviceSelectors = CompileSelectors(resource.ServiceSelectors, "serviceSelectors", problems);
            var interfaces = resource.Interfaces.IsDefault ? [] : resource.Interfaces;
            for (var index = 0; index < interfaces.Length; index++)
            {
                if (string.IsNullOrWhiteSpace(interfaces[index]))
                {
                    problems.Add($"invalid interface name \"{interfaces[index]}\"", $"spec.interfaces[{index}]");
                }
            }

            if (problems.Any)
            {
                errors.AddRange(problems.Found);
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

            for (var index = 0; index < named.Length; index++)
            {
                if (!attached.ContainsKey(named[index]))
                {
                    warnings.Add(MissingPool(resource.Ref, named[index], index, declared, pools));
                }
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

    /// <summary>
    /// MetalLB ignores a name in ipAddressPools that matches no pool (the configuration loads), so this is a
    /// warning: it names the pools that do exist, since a typo is the usual cause.
    /// </summary>
    private static ConfigError MissingPool(ObjectRef advertisement, string name, int index, HashSet<string> declared, List<AddressPool> pools)
    {
        var why = declared.Contains(name)
            ? "which is invalid (see its errors), so this advertisement does not apply to it"
            : $"which does not exist; {PoolMessages.Existing(pools.Select(p => p.Name))}";
        return new ConfigError(advertisement, $"ipAddressPools names pool \"{name}\", {why}", $"spec.ipAddressPools[{index}]");
    }

    /// <summary>The errors of one object, each with the field it is about.</summary>
    private sealed class Problems(ObjectRef target)
    {
        public List<ConfigError> Found { get; } = [];

        public bool Any => Found.Count > 0;

        public void Add(string message, string? field) => Found.Add(new ConfigError(target, message, field));
    }
}
