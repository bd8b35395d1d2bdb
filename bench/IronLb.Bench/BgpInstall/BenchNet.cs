using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using IronLb.Lab.Routers;
using static IronLb.Bench.L2Latency.HostCommands;

namespace IronLb.Bench.BgpInstall;

/// <summary>Both ends of one veth: its device name (the same in both namespaces) and each end's addresses.</summary>
internal sealed record BenchLink(string Device, IPAddress A4, IPAddress B4, IPAddress A6, IPAddress B6);

/// <summary>
/// The BGP benches' namespaces, veths and routers, gone on dispose (routers first, then namespaces, then files).
/// Names are ilbb-PID-RANDOM-ROLE, so two benches never meet. Link n is 198.51.100.(224 + 4n)/30 and
/// 2001:db8:b9:n::/64: documentation space outside every announced prefix (<see cref="InstallPrefixes"/>).
/// The BGP interop tests have the same kind of builder (their RouterNet), in an assembly built for Linux only.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class BenchNet : IAsyncDisposable
{
    private readonly string _id = $"ilbb-{Environment.ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
    private readonly List<string> _namespaces = [];
    private readonly List<IAsyncDisposable> _owned = [];
    private int _links;

    /// <summary>Where routers and speakers of this net keep their files.</summary>
    public string StateRoot => Path.Combine(Path.GetTempPath(), _id);

    /// <summary>A fresh namespace with loopback up.</summary>
    public async Task<string> AddNamespaceAsync(string role)
    {
        var name = $"{_id}-{role}";
        _namespaces.Add(name);
        await Ip("netns", "add", name).ConfigureAwait(false);
        await Ip("-n", name, "link", "set", "lo", "up").ConfigureAwait(false);
        return name;
    }

    /// <summary>A veth from <paramref name="a"/> to <paramref name="b"/>, addressed in both families, up (nodad: nothing to wait for).</summary>
    public async Task<BenchLink> LinkAsync(string a, string b)
    {
        var n = _links++;
        var device = string.Create(CultureInfo.InvariantCulture, $"bgpb{n}");
        await Ip("link", "add", device, "netns", a, "type", "veth", "peer", "name", device, "netns", b).ConfigureAwait(false);
        var link = new BenchLink(device,
            IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"198.51.100.{224 + (4 * n) + 1}")),
            IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"198.51.100.{224 + (4 * n) + 2}")),
            IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"2001:db8:b9:{n}::1")),
            IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"2001:db8:b9:{n}::2")));
        foreach (var (ns, v4, v6) in new[] { (a, link.A4, link.A6), (b, link.B4, link.B6) })
        {
            await Ip("-n", ns, "addr", "add", $"{v4}/30", "dev", device).ConfigureAwait(false);
            await Ip("-n", ns, "addr", "add", $"{v6}/64", "dev", device, "nodad").ConfigureAwait(false);
            await Ip("-n", ns, "link", "set", device, "up").ConfigureAwait(false);
        }

        return link;
    }

    /// <summary>FRR in <paramref name="netns"/> (named after it), stopped when this net is disposed.</summary>
    public async Task<FrrRouter> StartFrrAsync(string netns, IPAddress routerId, uint asn, params BgpNeighbour[] neighbours)
    {
        var router = await FrrRouter.StartAsync(new RouterSpec(netns, netns, Path.Combine(StateRoot, netns), routerId, asn) { Neighbours = [.. neighbours] }).ConfigureAwait(false);
        _owned.Add(router);
        return router;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            foreach (var owned in _owned)
            {
                await owned.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            foreach (var ns in _namespaces)
            {
                await Run("ip", "netns", "del", ns).ConfigureAwait(false);
            }

            if (Directory.Exists(StateRoot))
            {
                Directory.Delete(StateRoot, recursive: true);
            }
        }
    }
}
