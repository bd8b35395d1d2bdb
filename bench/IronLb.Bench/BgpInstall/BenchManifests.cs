using System.Collections.Immutable;
using System.Net;
using IronLb.Bgp.Interop.Tests.Speaker;
using IronLb.Testing.Manifests;

namespace IronLb.Bench.BgpInstall;

/// <summary>
/// The cluster a file-mode speaker reads in the BGP benches: one Node, one pool, and one LoadBalancer Service per
/// IPv6 prefix, the first of them dual-stack with an IPv4 prefix each, so the Services map exactly onto the prefix
/// sets (10,000 Services: 736 dual-stack, 9,264 IPv6 only, for 10,000 /128s and 736 /32s). Written as a user writes
/// them (<see cref="ManifestYaml"/>, <see cref="BgpYaml"/>), the Services already assigned, as the controller
/// leaves them.
/// </summary>
internal static class BenchManifests
{
    public const string Node = "bbnode";
    public const string Pool = "bench";

    /// <summary>The file that holds every object, in one folder the speaker is given.</summary>
    public static string WriteFolder(string folder, string yaml)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "cluster.yaml"), yaml);
        return folder;
    }

    /// <summary>Node, pool, the BGPPeers (one per peer address, <paramref name="myAsn"/> to <paramref name="peerAsn"/>), the BGPAdvertisement and the Services.</summary>
    public static string Bgp(uint myAsn, uint peerAsn, IEnumerable<IPAddress> peers, ImmutableArray<IPNetwork> ipv4, ImmutableArray<IPNetwork> ipv6) => ManifestYaml.Join(
        [ManifestYaml.Node(Node),
         BgpYaml.Pool(Pool, PoolRanges(ipv4, ipv6)),
         .. peers.Select((p, i) => BgpYaml.Peer($"peer{i}", Node, myAsn, peerAsn, p)),
         BgpYaml.Advertisement(Pool, Pool),
         Services(ipv4, ipv6)]);

    /// <summary>The same Node, pool and Services announced by Layer 2 on <paramref name="iface"/> instead: no BGP object at all.</summary>
    public static string Layer2(string iface, ImmutableArray<IPNetwork> ipv4, ImmutableArray<IPNetwork> ipv6) => ManifestYaml.Join(
        ManifestYaml.Node(Node),
        ManifestYaml.PoolAnnouncedOn(Pool, iface, PoolRanges(ipv4, ipv6)),
        Services(ipv4, ipv6));

    /// <summary>One Service per IPv6 prefix; the i-th also holds the i-th IPv4 prefix while there is one.</summary>
    public static string Services(ImmutableArray<IPNetwork> ipv4, ImmutableArray<IPNetwork> ipv6)
    {
        if (ipv4.Length > ipv6.Length)
        {
            throw new ArgumentException($"{ipv4.Length} IPv4 prefixes need as many Services, but only {ipv6.Length} IPv6 ones make Services");
        }

        return ManifestYaml.Join(
            [.. ipv6.Select((v6, i) => ManifestYaml.Service("bench", $"svc{i}",
                i < ipv4.Length ? [ipv4[i].BaseAddress.ToString(), v6.BaseAddress.ToString()] : [v6.BaseAddress.ToString()], 80, assigned: true))]);
    }

    /// <summary>Each announced prefix as its own pool range: exactly the addresses in use, nothing the bench's links hold.</summary>
    private static string[] PoolRanges(ImmutableArray<IPNetwork> ipv4, ImmutableArray<IPNetwork> ipv6) =>
        [.. InstallPrefixes.Ranges(ipv4), .. InstallPrefixes.Ranges(ipv6)];
}
