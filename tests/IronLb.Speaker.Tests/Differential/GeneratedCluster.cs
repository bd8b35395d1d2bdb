using System.Collections.Immutable;
using System.Text;
using CsCheck;

namespace IronLb.Speaker.Tests.Differential;

/// <summary>How a generated Service asks for its families.</summary>
internal enum Stack
{
    IPv4,
    IPv6,
    PreferDualV4First,
    PreferDualV6First,
    RequireDual,
}

/// <summary>
/// An IPAddressPool: disjoint blocks (so the configuration is valid), flags and serviceAllocation (a priority,
/// and with OnlyNamespaceA the cluster's namespace "a" as its only namespace).
/// </summary>
internal sealed record PoolSpec(string Name, ImmutableArray<string> Addresses, bool? AutoAssign, bool AvoidBuggyIps, int? Priority, bool OnlyNamespaceA);

/// <summary>An L2Advertisement: its pools (empty means all) and an optional node selector on the zone label.</summary>
internal sealed record AdvertisementSpec(string Name, ImmutableArray<string> Pools, string? Zone);

/// <summary>
/// A Service as created: families, what it asks for (annotations), sharing, a status someone already wrote
/// (a restart's input), when it was created (seconds after the cluster's epoch) and where its endpoints are
/// ready. Its namespace is "a" or "b", the cluster's two Service namespaces.
/// </summary>
internal sealed record ServiceSpec(
    string Namespace,
    string Name,
    Stack Stack,
    ImmutableArray<string> Requested,
    string? Pool,
    string? SharingKey,
    int Port,
    ImmutableArray<string> Status,
    string? StatusPool,
    int CreatedSecond,
    bool Local,
    ImmutableArray<string> ReadyNodes);

/// <summary>One generated cluster; its text is what a failing (shrunk) case prints.</summary>
internal sealed record ClusterSpec(ImmutableArray<PoolSpec> Pools, ImmutableArray<AdvertisementSpec> Advertisements, ImmutableArray<ServiceSpec> Services)
{
    /// <summary>The BGPPeers and BGPAdvertisements (<see cref="BgpGen"/>); empty in a Layer 2 only cluster.</summary>
    public BgpSpec Bgp { get; init; } = BgpSpec.Empty;

    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var p in Pools)
        {
            text.Append($"pool {p.Name} [{string.Join(",", p.Addresses)}] autoAssign={p.AutoAssign?.ToString() ?? "-"} avoidBuggy={p.AvoidBuggyIps} priority={p.Priority?.ToString() ?? "-"} onlyA={p.OnlyNamespaceA}\n");
        }

        foreach (var a in Advertisements)
        {
            text.Append($"l2 {a.Name} pools=[{string.Join(",", a.Pools)}] zone={a.Zone ?? "-"}\n");
        }

        text.Append(Bgp);

        foreach (var s in Services)
        {
            text.Append($"svc {s.Namespace}/{s.Name} {s.Stack} ips=[{string.Join(",", s.Requested)}] pool={s.Pool ?? "-"} share={s.SharingKey ?? "-"} port={s.Port} ");
            text.Append($"status=[{string.Join(",", s.Status)}] statusPool={s.StatusPool ?? "-"} t={s.CreatedSecond} local={s.Local} ready=[{string.Join(",", s.ReadyNodes)}]\n");
        }

        return text.ToString();
    }
}

/// <summary>
/// CsCheck generators for whole clusters, small enough that pools fill up, requests collide and sharing
/// matters. Addresses are documentation prefixes; some requested and status addresses lie outside every pool.
/// </summary>
internal static class ClusterGen
{
    public static readonly string[] Nodes = ["n1", "n2", "n3"];

    /// <summary>The zone label of each node, for advertisement node selectors.</summary>
    public static readonly Dictionary<string, string> Zones = new(StringComparer.Ordinal) { ["n1"] = "a", ["n2"] = "b", ["n3"] = "a" };

    // CIDRs and ranges of both families; a pool gets any subset, so blocks never overlap across pools.
    private static readonly string[] Blocks =
    [
        "192.0.2.0/30", "192.0.2.8/31", "192.0.2.16-192.0.2.18", "198.51.100.7/32",
        "2001:db8::/126", "2001:db8::10-2001:db8::11", "2001:db8:1::/127",
    ];

    private static readonly string[] Candidates =
    [
        "192.0.2.1", "192.0.2.3", "192.0.2.8", "192.0.2.17", "198.51.100.7", "203.0.113.9",
        "2001:db8::1", "2001:db8::11", "2001:db8:1::1", "2001:db8:9::9",
    ];

    private static readonly string[] PoolNames = ["p1", "p2", "p3"];

    // Mostly nothing, so that most Services allocate and collisions stay the interesting minority.
    private static readonly Gen<ImmutableArray<string>> GenIps = Gen.Frequency(
        (3, Gen.Const(ImmutableArray<string>.Empty)),
        (2, Gen.Int[0, Candidates.Length - 1].Array[1, 2].Select(a => a.Distinct().Select(i => Candidates[i]).ToImmutableArray())));

    private static readonly Gen<(bool? AutoAssign, bool AvoidBuggy, int? Priority, bool OnlyA)> GenPoolFlags =
        Gen.Select(Gen.Int[0, 3], Gen.Bool, Gen.Int[0, 2], Gen.Int[0, 3], (auto, buggy, priority, allocation) =>
            (auto switch { 0 => (bool?)null, 3 => false, _ => true }, buggy, allocation >= 2 ? priority : (int?)null, allocation == 3));

    private static readonly Gen<ServiceSpec> GenService = Gen.Select(
        Gen.Select(Gen.Bool, Gen.Enum<Stack>(), GenIps, Gen.Int[0, 6], Gen.Int[0, 2], Gen.Int[0, 2]),
        Gen.Select(GenIps, Gen.Int[0, 2], Gen.Int[0, 3], Gen.Bool, Gen.Int[0, 7]),
        (first, second) =>
        {
            var (inA, stack, requested, pool, share, port) = first;
            var (status, statusPool, created, local, ready) = second;
            return new ServiceSpec(
                inA ? "a" : "b",
                "",
                stack,
                requested,
                pool switch { < 4 => null, 6 => "missing", _ => PoolNames[pool - 4] },
                share == 0 ? null : $"k{share}",
                port switch { 0 => 80, 1 => 443, _ => 53 },
                status,
                statusPool == 0 ? null : PoolNames[statusPool - 1],
                created,
                local,
                [.. Nodes.Where((_, i) => (ready & (1 << i)) != 0)]);
        });

    /// <summary>Pools from an owner per block (0 = unused), so a shrink towards 0 removes addresses and pools.</summary>
    public static readonly Gen<ClusterSpec> Cluster = Gen.Select(
        Gen.Int[0, PoolNames.Length].Array[Blocks.Length],
        GenPoolFlags.Array[PoolNames.Length],
        Gen.Select(Gen.Int[0, 11], Gen.Int[0, 3]).Array[0, 2],
        GenService.Array[0, 7],
        BgpGen.Raw,
        (owners, flags, advertisements, services, bgp) =>
        {
            var pools = PoolNames
                .Select((name, i) => new PoolSpec(
                    name,
                    [.. Blocks.Where((_, b) => owners[b] == i + 1)],
                    flags[i].AutoAssign,
                    flags[i].AvoidBuggy,
                    flags[i].Priority,
                    flags[i].OnlyA))
                .Where(p => !p.Addresses.IsEmpty)
                .ToImmutableArray();
            var names = pools.Select(p => p.Name).ToList();
            return new ClusterSpec(
                pools,
                [.. advertisements.Select((a, i) => new AdvertisementSpec(
                    $"l2-{i}",
                    [.. names.Where((_, p) => a.Item1 < 8 && (a.Item1 & (1 << p)) != 0)],
                    a.Item2 switch { 2 => "a", 3 => "b", _ => null }))],
                [.. services.Select((s, i) => s with { Name = $"s{i}" })])
            {
                Bgp = BgpGen.Resolve(bgp, pools),
            };
        });
}
