using System.Collections.Immutable;
using System.Net;

namespace IronLb.Bench.BgpInstall;

/// <summary>
/// What the bench announces, from documentation space only. 10,000 IPv6 /128s fit in 2001:db8:b9:8000::/112. IPv4
/// documentation space holds only 768 /32s, less the bench's own link (198.51.100.224/27 is kept out: a /32 for
/// the peer's own address would be routed over the session it rides on), so 736 IPv4 /32s; they are timed on a
/// session of their own and reported separately. Prefixes in a BGP session are not traffic on any wire.
/// </summary>
internal static class InstallPrefixes
{
    private static readonly string[] Ipv4Networks = ["192.0.2", "198.51.100", "203.0.113"];

    public static ImmutableArray<IPNetwork> Ipv6(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new IPNetwork(IPAddress.Parse($"2001:db8:b9:8000::{i:x}"), 128))];

    public static ImmutableArray<IPNetwork> Ipv4() =>
        [.. Ipv4Networks
            .SelectMany(net => Enumerable.Range(0, 256).Select(host => (net, host)))
            .Where(a => a.net != "198.51.100" || a.host < 224)
            .Select(a => new IPNetwork(IPAddress.Parse($"{a.net}.{a.host}"), 32))];
}
