using System.Collections.Immutable;
using System.Text;
using CsCheck;

namespace IronLb.Speaker.Tests.Differential;

/// <summary>
/// A BGPPeer. Its address is loopback only (127.0.0.1 or ::1) on a port below the CRD's 16384 cap where nothing
/// listens: the differential never runs sessions, and if anything ever dialled, the dial is refused on this host.
/// </summary>
internal sealed record BgpPeerSpec(string Name, bool Internal, bool Ipv6, int Port, string? Zone, bool DualStack);

/// <summary>
/// A BGPAdvertisement: its pools (empty means all), an optional zone node selector, the peers it names (empty means
/// all), aggregation lengths already raised to what its pools allow, LOCAL_PREF, and communities (literal or the alias).
/// </summary>
internal sealed record BgpAdvertisementSpec(
    string Name,
    ImmutableArray<string> Pools,
    string? Zone,
    ImmutableArray<string> Peers,
    int? AggregationLength,
    int? AggregationLengthV6,
    int? LocalPref,
    ImmutableArray<string> Communities);

/// <summary>A cluster's BGP objects; empty for a Layer 2 only cluster.</summary>
internal sealed record BgpSpec(ImmutableArray<BgpPeerSpec> Peers, ImmutableArray<BgpAdvertisementSpec> Advertisements)
{
    public static BgpSpec Empty { get; } = new([], []);

    public bool IsEmpty => Peers.IsEmpty && Advertisements.IsEmpty;

    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var p in Peers)
        {
            text.Append($"bgppeer {p.Name} {(p.Internal ? "iBGP" : "eBGP")} {(p.Ipv6 ? "[::1]" : "127.0.0.1")}:{p.Port} zone={p.Zone ?? "-"} dualStack={p.DualStack}\n");
        }

        foreach (var a in Advertisements)
        {
            text.Append($"bgpadv {a.Name} pools=[{string.Join(",", a.Pools)}] zone={a.Zone ?? "-"} peers=[{string.Join(",", a.Peers)}] ");
            text.Append($"agg={a.AggregationLength?.ToString() ?? "-"}/{a.AggregationLengthV6?.ToString() ?? "-"} localPref={a.LocalPref?.ToString() ?? "-"} communities=[{string.Join(",", a.Communities)}]\n");
        }

        return text.ToString();
    }
}

/// <summary>
/// CsCheck generators for the BGP objects. Raw choices are drawn independently of the pools, then resolved against
/// the generated pools (names, valid aggregation lengths), so shrinking stays simple: fewer peers, fewer advertisements.
/// </summary>
internal static class BgpGen
{
    /// <summary>The one Community object's alias, and the value it stands for.</summary>
    public const string Alias = "edge";

    public const string AliasValue = "64512:7";

    public const int MyAsn = 64512;

    private static readonly string[] PeerNames = ["r0", "r1", "r2"];

    private static readonly string[] CommunityChoices = ["64512:100", "65000:200", "large:64512:1:2", Alias];

    /// <summary>Per pool block, the longest of the shortest prefixes MetalLB compares an aggregation length with (a range counts its shortest).</summary>
    private static readonly Dictionary<string, int> ShortestPrefix = new(StringComparer.Ordinal)
    {
        ["192.0.2.0/30"] = 30, ["192.0.2.8/31"] = 31, ["192.0.2.16-192.0.2.18"] = 31, ["198.51.100.7/32"] = 32,
        ["2001:db8::/126"] = 126, ["2001:db8::10-2001:db8::11"] = 127, ["2001:db8:1::/127"] = 127,
    };

    private static readonly Gen<(bool Internal, bool Ipv6, int Zone, bool DualStack)> GenPeer = Gen.Select(Gen.Bool, Gen.Bool, Gen.Int[0, 3], Gen.Int[0, 2], (i, v6, zone, dual) => (i, v6, zone, dual == 2));

    private static readonly Gen<(int Pools, int Zone, int Peers, int Agg, int AggV6, int Communities)> GenAdvertisement =
        Gen.Select(Gen.Int[0, 11], Gen.Int[0, 3], Gen.Int[0, 11], Gen.Int[0, 9], Gen.Int[0, 9], Gen.Int[0, 15]);

    /// <summary>Mostly no BGP (the Layer 2 cases stay the bulk); otherwise up to three peers and three advertisements.</summary>
    public static readonly Gen<(bool On, (bool, bool, int, bool)[] Peers, (int, int, int, int, int, int)[] Advertisements, int LocalPref)> Raw =
        Gen.Select(Gen.Int[0, 2], GenPeer.Array[0, 3], GenAdvertisement.Array[0, 3], Gen.Int[0, 2], (on, peers, ads, localPref) => (on == 2, peers, ads, localPref));

    /// <summary>Resolves raw choices against the generated pools.</summary>
    public static BgpSpec Resolve((bool On, (bool, bool, int, bool)[] Peers, (int, int, int, int, int, int)[] Advertisements, int LocalPref) raw, ImmutableArray<PoolSpec> pools)
    {
        if (!raw.On)
        {
            return BgpSpec.Empty;
        }

        var peers = raw.Peers.Select((p, i) => new BgpPeerSpec(PeerNames[i], p.Item1, p.Item2, 9 + i, Zone(p.Item3), p.Item4)).ToImmutableArray();
        // One LOCAL_PREF for the whole cluster: advertisements of one pool that disagree on it are a configuration error.
        int? localPref = raw.LocalPref switch { 1 => 100, 2 => 300, _ => null };
        var names = pools.Select(p => p.Name).ToList();
        var advertisements = raw.Advertisements.Select((a, i) =>
        {
            var (poolMask, zone, peerMask, agg, aggV6, communityMask) = a;
            ImmutableArray<string> named = [.. names.Where((_, p) => poolMask < 8 && (poolMask & (1 << p)) != 0)];
            var targets = named.IsEmpty ? [.. pools] : pools.Where(p => named.Contains(p.Name)).ToList();
            return new BgpAdvertisementSpec(
                $"bgp-{i}",
                named,
                Zone(zone),
                [.. PeerNames.Where((_, p) => peerMask < 8 && (peerMask & (1 << p)) != 0)],
                agg == 0 ? null : Math.Max(23 + agg, Required(targets, v6: false)),
                aggV6 == 0 ? null : Math.Max(119 + aggV6, Required(targets, v6: true)),
                localPref,
                [.. CommunityChoices.Where((_, c) => (communityMask & (1 << c)) != 0)]);
        }).ToImmutableArray();
        return new BgpSpec(peers, advertisements);
    }

    private static string? Zone(int choice) => choice switch { 2 => "a", 3 => "b", _ => null };

    // The shortest aggregation length the targeted pools accept for the family (the family's maximum bounds it anyway).
    private static int Required(IEnumerable<PoolSpec> targets, bool v6) =>
        targets.SelectMany(p => p.Addresses).Where(b => b.Contains(':') == v6).Select(b => ShortestPrefix[b]).DefaultIfEmpty(0).Max();
}
