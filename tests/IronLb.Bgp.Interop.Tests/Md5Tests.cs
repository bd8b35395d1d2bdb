using System.Globalization;
using IronLb.Lab.Routers;

namespace IronLb.Bgp.Interop.Tests;

/// <summary>
/// TCP MD5 (RFC 2385) between FRR and BIRD: the same key on both ends comes up; different keys never do. "Never" is
/// shown without a clock: the kernel counts each segment it discards for a bad signature, and once it has discarded
/// several of the routers' attempts, the session is still not up.
/// </summary>
[Trait("Category", Category.Network)]
[Trait("Category", Category.Root)]
public sealed class Md5Tests
{
    [Theory]
    [InlineData("frr", "bird")]
    [InlineData("bird", "frr")]
    public async Task The_same_key_on_both_ends_comes_up(string softwareA, string softwareB)
    {
        RouterRequirements.Need(softwareA, softwareB);
        await using var net = new RouterNet();
        var (a, b, link) = await PairAsync(net, softwareA, softwareB, "right-key", "right-key");
        await Eventually.UntilAsync(a.ReadViewAsync, v => v.Neighbour(link.B4)?.Established == true, $"{softwareA} to reach Established with {softwareB}");
        await Eventually.UntilAsync(b.ReadViewAsync, v => v.Neighbour(link.A4)?.Established == true, $"{softwareB} to reach Established with {softwareA}");
    }

    [Theory]
    [InlineData("frr", "bird")]
    [InlineData("frr", "frr")]
    public async Task Different_keys_never_come_up(string softwareA, string softwareB)
    {
        RouterRequirements.Need(softwareA, softwareB);
        await using var net = new RouterNet();
        var (a, b, link) = await PairAsync(net, softwareA, softwareB, "key-of-a", "key-of-b");
        await Eventually.UntilAsync(() => Md5FailuresAsync(b.Spec.Netns), n => n >= 3, $"{softwareB}'s kernel to discard several badly signed segments from {softwareA}");
        await Eventually.UntilAsync(() => Md5FailuresAsync(a.Spec.Netns), n => n >= 3, $"{softwareA}'s kernel to discard several badly signed segments from {softwareB}");
        var viewA = await a.ReadViewAsync();
        var viewB = await b.ReadViewAsync();
        Assert.False(viewA.Neighbour(link.B4)?.Established ?? true, $"{softwareA} came up with a wrong key: {viewA}");
        Assert.False(viewB.Neighbour(link.A4)?.Established ?? true, $"{softwareB} came up with a wrong key: {viewB}");
    }

    private static async Task<(IBgpRouter A, IBgpRouter B, LinkAddresses Link)> PairAsync(RouterNet net, string softwareA, string softwareB, string keyA, string keyB)
    {
        var nsA = await net.AddNamespaceAsync("a");
        var nsB = await net.AddNamespaceAsync("b");
        var link = await net.LinkAsync(nsA, nsB);
        var a = await net.StartAsync(softwareA, net.Spec(nsA, link.A4, 64601) with { Neighbours = [new BgpNeighbour(link.B4, RemoteAs.Of(64602)) { Password = keyA }] });
        var b = await net.StartAsync(softwareB, net.Spec(nsB, link.B4, 64602) with { Neighbours = [new BgpNeighbour(link.A4, RemoteAs.Of(64601)) { Password = keyB }] });
        return (a, b, link);
    }

    /// <summary>TcpExt TCPMD5Failure of the namespace: segments whose signature did not match the key.</summary>
    internal static async Task<long> Md5FailuresAsync(string netns)
    {
        var lines = (await ProcessRunner.CheckAsync("ip", "netns", "exec", netns, "cat", "/proc/net/netstat")).Split('\n');
        // Pairs of lines: "TcpExt: names..." then "TcpExt: values...".
        for (var i = 0; i + 1 < lines.Length; i++)
        {
            if (lines[i].StartsWith("TcpExt:", StringComparison.Ordinal) && lines[i + 1].StartsWith("TcpExt:", StringComparison.Ordinal))
            {
                var names = lines[i].Split(' ');
                var values = lines[i + 1].Split(' ');
                var at = Array.IndexOf(names, "TCPMD5Failure");
                return at > 0 && at < values.Length ? long.Parse(values[at], CultureInfo.InvariantCulture) : 0;
            }
        }

        return 0;
    }
}
