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

    /// <summary>
    /// Host prefixes as pool ranges ("first-last"), one per run of consecutive addresses: a pool holding exactly the
    /// announced addresses, so none of the bench's own link addresses is ever in it.
    /// </summary>
    public static IEnumerable<string> Ranges(ImmutableArray<IPNetwork> hosts)
    {
        var ordered = hosts.Select(h => h.BaseAddress.GetAddressBytes()).Order(Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b))).ToList();
        for (var start = 0; start < ordered.Count;)
        {
            var end = start;
            while (end + 1 < ordered.Count && IsNext(ordered[end], ordered[end + 1]))
            {
                end++;
            }

            yield return $"{new IPAddress(ordered[start])}-{new IPAddress(ordered[end])}";
            start = end + 1;
        }
    }

    /// <summary>Whether <paramref name="b"/> is the address right after <paramref name="a"/> (same length, big-endian).</summary>
    private static bool IsNext(byte[] a, byte[] b)
    {
        var next = (byte[])a.Clone();
        // Add one with carry: a byte that wraps to zero carries into the one before it.
        var i = next.Length - 1;
        while (i >= 0 && ++next[i] == 0)
        {
            i--;
        }

        return next.AsSpan().SequenceEqual(b);
    }
}
