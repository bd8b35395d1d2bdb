using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using IronLb.Lab.Routers;
using static IronLb.Testing.Network.Ip;

namespace IronLb.Bgp.Interop.Tests;

/// <summary>Both ends of a point-to-point link: the addresses of end A and end B in each family.</summary>
internal sealed record LinkAddresses(string Device, IPAddress A4, IPAddress B4, IPAddress A6, IPAddress B6);

/// <summary>
/// Namespaces joined by veth links, for routers to peer across, and the routers started in them. Link n gets
/// 198.51.100.(224 + 4n)/30 and 2001:db8:b9:n::/64: documentation space the lab does not use. Names start with
/// ilb-bgpi-PID-RANDOM-, so parallel tests and runs never meet. Disposing stops the routers, then removes the
/// namespaces (and with them the links), also after a failure.
/// </summary>
internal sealed class RouterNet : IAsyncDisposable
{
    public const string NamePrefix = "ilb-bgpi-";

    private readonly List<string> _namespaces = [];
    private readonly List<IBgpRouter> _routers = [];
    private readonly string _id = $"{Environment.ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
    private readonly string _stateRoot;
    private int _links;

    public RouterNet()
    {
        _stateRoot = Path.Combine(Path.GetTempPath(), NamePrefix + _id);
    }

    /// <summary>A fresh namespace with loopback up; its full name also names the router in it.</summary>
    public async Task<string> AddNamespaceAsync(string role)
    {
        var name = $"{NamePrefix}{_id}-{role}";
        _namespaces.Add(name);
        await IpAsync("netns", "add", name).ConfigureAwait(false);
        await IpAsync("-n", name, "link", "set", "lo", "up").ConfigureAwait(false);
        return name;
    }

    /// <summary>A veth between two of our namespaces, addressed in both families, up (no duplicate address detection to wait for).</summary>
    public async Task<LinkAddresses> LinkAsync(string a, string b)
    {
        var n = _links++;
        var device = string.Create(CultureInfo.InvariantCulture, $"bgpi{n}");
        await IpAsync("link", "add", device, "netns", a, "type", "veth", "peer", "name", device, "netns", b).ConfigureAwait(false);
        var link = new LinkAddresses(device,
            IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"198.51.100.{224 + (4 * n) + 1}")),
            IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"198.51.100.{224 + (4 * n) + 2}")),
            IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"2001:db8:b9:{n}::1")),
            IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"2001:db8:b9:{n}::2")));
        foreach (var (ns, v4, v6) in new[] { (a, link.A4, link.A6), (b, link.B4, link.B6) })
        {
            await IpAsync("-n", ns, "addr", "add", $"{v4}/30", "dev", device).ConfigureAwait(false);
            await IpAsync("-n", ns, "addr", "add", $"{v6}/64", "dev", device, "nodad").ConfigureAwait(false);
            await IpAsync("-n", ns, "link", "set", device, "up").ConfigureAwait(false);
        }

        return link;
    }

    /// <summary>The link-local address of <paramref name="device"/> in <paramref name="netns"/>: what FRR installs as an IPv6 next hop.</summary>
    public static async Task<IPAddress> LinkLocalAsync(string netns, string device)
    {
        var text = await IpAsync("-n", netns, "-6", "-o", "addr", "show", "dev", device, "scope", "link").ConfigureAwait(false);
        var word = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipWhile(w => w != "inet6").Skip(1).FirstOrDefault();
        return IPAddress.Parse(word?.Split('/')[0] ?? throw new InvalidOperationException($"{device} in {netns} has no link-local address: {text}"));
    }

    /// <summary>A spec for a router in <paramref name="netns"/>, named after it, its files under this net's state folder.</summary>
    public RouterSpec Spec(string netns, IPAddress routerId, uint asn) => new(netns, netns, Path.Combine(_stateRoot, netns), routerId, asn);

    public async Task<IBgpRouter> StartAsync(string software, RouterSpec spec)
    {
        IBgpRouter router = software == "frr" ? await FrrRouter.StartAsync(spec).ConfigureAwait(false) : await BirdRouter.StartAsync(spec).ConfigureAwait(false);
        _routers.Add(router);
        return router;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var router in _routers)
        {
            await router.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var ns in _namespaces)
        {
            await ProcessRunner.RunAsync("ip", "netns", "del", ns).ConfigureAwait(false);
        }

        if (Directory.Exists(_stateRoot))
        {
            Directory.Delete(_stateRoot, recursive: true);
        }
    }
}
