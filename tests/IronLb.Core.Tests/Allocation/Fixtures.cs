using System.Collections.Immutable;
using IronLb.Core.Addressing;
using IronLb.Core.Allocation;
using IronLb.Core.Configuration;

namespace IronLb.Core.Tests.Allocation;

/// <summary>Terse builders for allocator and converge tests, and the recount used as an oracle.</summary>
internal static class Fixtures
{
    public static Address Ip(string text) => Address.Parse(text);

    public static Address[] Ips(params string[] texts) => [.. texts.Select(Address.Parse)];

    public static ImmutableArray<Cidr> Cidrs(params string[] entries) =>
    [
        .. entries.SelectMany(e => PoolAddressParser.TryParse(e, out var cidrs, out var error) ? cidrs : throw new ArgumentException(error)),
    ];

    public static AddressPool Pool(string name, params string[] entries) => new() { Name = name, Cidrs = Cidrs(entries) };

    public static LabelSelector Selector(params string[] pairs)
    {
        var errors = new List<string>();
        return LabelSelector.TryCompile(new LabelSelectorSpec { MatchLabels = Labels(pairs) }, errors)
            ?? throw new ArgumentException(string.Join("; ", errors));
    }

    /// <summary>A resolved serviceAllocation; pass selectors as "k=v" strings, one selector each.</summary>
    public static PoolAllocation Restrict(int priority = 0, string[]? namespaces = null, string[]? selectors = null) =>
        new(priority, [.. namespaces ?? []], [.. (selectors ?? []).Select(s => Selector(s))]);

    public static ImmutableDictionary<string, string> Labels(params string[] pairs) =>
        pairs.Select(p => p.Split('=', 2)).ToImmutableDictionary(p => p[0], p => p[1]);

    public static LoadBalancerConfig Config(params AddressPool[] pools) => new(pools);

    public static Allocator AllocatorWith(params AddressPool[] pools)
    {
        var allocator = new Allocator();
        allocator.SetPools(Config(pools));
        return allocator;
    }

    public static ServicePort Tcp(int port) => new("TCP", port);

    public static ServicePort Udp(int port) => new("UDP", port);

    public static AllocationRequest Request(
        string name,
        string ns = "default",
        string sharing = "",
        string backend = "",
        ServicePort[]? ports = null,
        ImmutableDictionary<string, string>? labels = null) =>
        new()
        {
            Key = new ServiceKey(ns, name),
            SharingKey = sharing,
            BackendKey = backend,
            Ports = [.. ports ?? []],
            Labels = labels ?? ImmutableDictionary<string, string>.Empty,
        };

    public static string Text(IEnumerable<Address> ips) => string.Join(",", ips);

    /// <summary>The pool counters recomputed from scratch: distinct addresses per family over the allocations from each pool.</summary>
    public static Dictionary<string, PoolCounters> Recount(Allocator allocator)
    {
        var result = allocator.Config.Pools.ToDictionary(p => p.Name, _ => default(PoolCounters), StringComparer.Ordinal);
        foreach (var group in allocator.Allocations.GroupBy(a => a.Value.Pool, StringComparer.Ordinal))
        {
            var distinct = group.SelectMany(a => a.Value.Ips).Distinct().ToList();
            result[group.Key] = new PoolCounters(
                distinct.Count(a => a.Family == IpFamily.IPv4),
                distinct.Count(a => a.Family == IpFamily.IPv6));
        }

        return result;
    }

    /// <summary>Asserts the allocator's counters equal a recount, and that no address is held by services that may not share it.</summary>
    public static void AssertConsistent(Allocator allocator, string context) => AssertConsistent(allocator, () => context);

    public static void AssertConsistent(Allocator allocator, Func<string> describe)
    {
        foreach (var (pool, expected) in Recount(allocator))
        {
            if (expected != allocator.Counters(pool))
            {
                Assert.Fail($"{describe()}: counters of {pool} are {allocator.Counters(pool)}, a recount gives {expected}");
            }
        }

        foreach (var (key, allocation) in allocator.Allocations)
        {
            if (!allocator.Config.ByName.TryGetValue(allocation.Pool, out var pool))
            {
                Assert.Fail($"{describe()}: {key} is allocated from unknown pool {allocation.Pool}");
                return;
            }

            if (allocation.Ips.Any(ip => !pool.Contains(ip)))
            {
                Assert.Fail($"{describe()}: {key} holds {Text(allocation.Ips)}, not all in {allocation.Pool}");
            }

            if (allocation.Ips.Length is not (1 or 2) || (allocation.Ips.Length == 2 && allocation.Ips[0].Family == allocation.Ips[1].Family))
            {
                Assert.Fail($"{describe()}: {key} holds {Text(allocation.Ips)}");
            }
        }

        // Held Services (pool-removal grace) use their addresses too, outside every pool.
        var holders = allocator.Allocations
            .Concat(allocator.Held.Select(h => KeyValuePair.Create(h.Key, h.Allocation)))
            .SelectMany(a => a.Value.Ips.Select(ip => (Ip: ip, a.Key, Allocation: a.Value)))
            .GroupBy(h => h.Ip);
        foreach (var group in holders)
        {
            var list = group.ToList();
            if (!list.Select(h => h.Key).Order(ServiceKey.Ordinal).SequenceEqual(allocator.UsersOf(group.Key).Order(ServiceKey.Ordinal)))
            {
                Assert.Fail($"{describe()}: UsersOf({group.Key}) is {string.Join(",", allocator.UsersOf(group.Key))}, allocations say {string.Join(",", list.Select(h => h.Key))}");
            }
            for (var i = 0; i < list.Count; i++)
            {
                for (var j = i + 1; j < list.Count; j++)
                {
                    var (a, b) = (list[i].Allocation, list[j].Allocation);
                    var why = a.SharingKey.Length == 0 || b.SharingKey.Length == 0 ? "a sharing key is empty"
                        : a.SharingKey != b.SharingKey ? "sharing keys differ"
                        : a.BackendKey != b.BackendKey ? "backend keys differ"
                        : a.Ports.Intersect(b.Ports).Any() ? $"ports collide ({string.Join(",", a.Ports.Intersect(b.Ports))})"
                        : null;
                    if (why is not null)
                    {
                        Assert.Fail($"{describe()}: {group.Key} is held by {list[i].Key} and {list[j].Key}, but {why}");
                    }
                }
            }
        }
    }
}
