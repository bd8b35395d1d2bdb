using System.Security.Cryptography;
using static IronLb.Testing.Network.Ip;
using static IronLb.Testing.ProcessRunner;

namespace IronLb.Testing.Network;

/// <summary>
/// Fresh namespaces per test: "lan" holds the bridges (external, office), "client" sits on both LANs as
/// ext0/ofc0 (192.0.2.1, 198.51.100.1), and node1/node2 have eno2 (external, 192.0.2.1N) and eno3 (office,
/// 198.51.100.1N), with IPv6 in the subnets each project chooses. Documentation prefixes only, no routes
/// beyond the connected ones, nothing on the host's interfaces. Removed on dispose, even after a failure.
/// Each test project uses its own name prefix, so one project's stale clean-up never touches another's.
/// </summary>
public sealed class LanTopology : IAsyncDisposable
{
    private static readonly SemaphoreSlim StaleCleanup = new(1, 1);
    private static readonly HashSet<string> StaleRemoved = [];

    private readonly List<string> _namespaces = [];
    private readonly List<IAsyncDisposable> _owned = [];

    private readonly string _externalV6;
    private readonly string _officeV6;

    private LanTopology(string prefix, string id, string externalV6, string officeV6)
    {
        Prefix = prefix;
        Id = id;
        _externalV6 = externalV6;
        _officeV6 = officeV6;
    }

    public string Prefix { get; }

    public string Id { get; }

    public string Lan => $"{Prefix}{Id}-lan";

    public string Client => $"{Prefix}{Id}-client";

    public string Node(int n) => $"{Prefix}{Id}-node{n}";

    /// <param name="prefix">Namespace name prefix of the calling test project ("ilbt-").</param>
    /// <param name="externalV6">The external LAN's IPv6 /64, written as its prefix ("2001:db8:2::").</param>
    /// <param name="officeV6">The office LAN's IPv6 /64 ("2001:db8:3::").</param>
    public static async Task<LanTopology> CreateAsync(string prefix, string externalV6, string officeV6)
    {
        await RemoveStaleAsync(prefix).ConfigureAwait(false);
        // The creating process's id is part of the name, so stale clean-up never touches a live run's namespaces.
        var t = new LanTopology(prefix, $"{Environment.ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}", externalV6, officeV6);
        try
        {
            await t.BuildAsync().ConfigureAwait(false);
            return t;
        }
        catch
        {
            await t.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Something to stop before the namespaces go (host processes, captures).</summary>
    public T Own<T>(T resource)
        where T : IAsyncDisposable
    {
        _owned.Add(resource);
        return resource;
    }

    /// <summary>The device's MAC as sysfs prints it ("aa:bb:cc:dd:ee:ff").</summary>
    public async Task<string> MacTextAsync(string ns, string device) =>
        (await CheckAsync("ip", "netns", "exec", ns, "cat", $"/sys/class/net/{device}/address").ConfigureAwait(false)).Trim().ToLowerInvariant();

    /// <summary>Attaches a new LAN with a new interface <paramref name="nodeDevice"/> on node <paramref name="node"/> and <paramref name="clientDevice"/> on the client.</summary>
    public async Task AddLanAsync(string bridge, int node, string nodeDevice, string clientDevice, string clientV4, string clientV6)
    {
        await IpAsync("-n", Lan, "link", "add", bridge, "type", "bridge", "mcast_snooping", "0").ConfigureAwait(false);
        await IpAsync("-n", Lan, "link", "set", bridge, "up").ConfigureAwait(false);
        await PlugAsync(bridge, $"c-{clientDevice}", Client, clientDevice).ConfigureAwait(false);
        await IpAsync("-n", Client, "addr", "add", clientV4, "dev", clientDevice).ConfigureAwait(false);
        await IpAsync("-n", Client, "addr", "add", clientV6, "dev", clientDevice, "nodad").ConfigureAwait(false);
        await PlugAsync(bridge, $"n{node}-{nodeDevice}", Node(node), nodeDevice).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var r in Enumerable.Reverse(_owned))
        {
            try
            {
                await r.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidOperationException or IOException)
            {
                // Teardown must reach the namespaces regardless.
            }
        }

        foreach (var ns in Enumerable.Reverse(_namespaces))
        {
            await DeleteNamespaceAsync(ns).ConfigureAwait(false);
        }
    }

    private async Task BuildAsync()
    {
        foreach (var ns in new[] { Lan, Client, Node(1), Node(2) })
        {
            await IpAsync("netns", "add", ns).ConfigureAwait(false);
            _namespaces.Add(ns);
            await IpAsync("-n", ns, "link", "set", "lo", "up").ConfigureAwait(false);
            // No DAD: link-local addresses are usable at once, so NDP responders and ndisc6 need no wait.
            foreach (var scope in new[] { "all", "default" })
            {
                await SysctlAsync(ns, $"net/ipv6/conf/{scope}/accept_dad", "0", required: true).ConfigureAwait(false);
            }
        }

        // br_netfilter (loaded on this machine) would validate and drop malformed IPv6/ARP inside the bridge;
        // a real switch forwards them, and the malformed-frame test needs them to reach the node.
        foreach (var table in new[] { "iptables", "ip6tables", "arptables" })
        {
            await SysctlAsync(Lan, $"net/bridge/bridge-nf-call-{table}", "0", required: false).ConfigureAwait(false);
        }

        foreach (var bridge in new[] { "brext", "brofc" })
        {
            // Snooping off: nothing sends MLD queries here, and the solicited-node joins are what we test.
            await IpAsync("-n", Lan, "link", "add", bridge, "type", "bridge", "mcast_snooping", "0").ConfigureAwait(false);
            await IpAsync("-n", Lan, "link", "set", bridge, "up").ConfigureAwait(false);
        }

        await PlugAsync("brext", "c-ext0", Client, "ext0").ConfigureAwait(false);
        await PlugAsync("brofc", "c-ofc0", Client, "ofc0").ConfigureAwait(false);
        await IpAsync("-n", Client, "addr", "add", "192.0.2.1/24", "dev", "ext0").ConfigureAwait(false);
        await IpAsync("-n", Client, "addr", "add", $"{_externalV6}1/64", "dev", "ext0", "nodad").ConfigureAwait(false);
        await IpAsync("-n", Client, "addr", "add", "198.51.100.1/24", "dev", "ofc0").ConfigureAwait(false);
        await IpAsync("-n", Client, "addr", "add", $"{_officeV6}1/64", "dev", "ofc0", "nodad").ConfigureAwait(false);
        for (var n = 1; n <= 2; n++)
        {
            await PlugAsync("brext", $"n{n}-eno2", Node(n), "eno2").ConfigureAwait(false);
            await PlugAsync("brofc", $"n{n}-eno3", Node(n), "eno3").ConfigureAwait(false);
            await IpAsync("-n", Node(n), "addr", "add", $"192.0.2.1{n}/24", "dev", "eno2").ConfigureAwait(false);
            await IpAsync("-n", Node(n), "addr", "add", $"{_externalV6}1{n}/64", "dev", "eno2", "nodad").ConfigureAwait(false);
            await IpAsync("-n", Node(n), "addr", "add", $"198.51.100.1{n}/24", "dev", "eno3").ConfigureAwait(false);
            await IpAsync("-n", Node(n), "addr", "add", $"{_officeV6}1{n}/64", "dev", "eno3", "nodad").ConfigureAwait(false);
        }
    }

    /// <summary>Writes /proc/sys inside the namespace with the shell, so the tests need no procps.</summary>
    private static async Task SysctlAsync(string ns, string key, string value, bool required)
    {
        var path = $"/proc/sys/{key}";
        var r = await RunAsync("ip", "netns", "exec", ns, "sh", "-c", $"[ ! -e {path} ] || echo {value} > {path}").ConfigureAwait(false);
        if (required && r.ExitCode != 0)
        {
            throw new InvalidOperationException($"cannot set {key} in {ns}: {r}");
        }
    }

    /// <summary>A veth from <paramref name="bridge"/> (in the lan namespace) to <paramref name="device"/> inside <paramref name="ns"/>.</summary>
    private async Task PlugAsync(string bridge, string port, string ns, string device)
    {
        await IpAsync("-n", Lan, "link", "add", port, "type", "veth", "peer", "name", device, "netns", ns).ConfigureAwait(false);
        await IpAsync("-n", Lan, "link", "set", port, "master", bridge, "up").ConfigureAwait(false);
        await IpAsync("-n", ns, "link", "set", device, "up").ConfigureAwait(false);
    }

    /// <summary>Namespaces left by a run that was killed: ours (prefix) whose creating process is gone; once per test process.</summary>
    private static async Task RemoveStaleAsync(string prefix)
    {
        await StaleCleanup.WaitAsync().ConfigureAwait(false);
        try
        {
            if (StaleRemoved.Contains(prefix))
            {
                return;
            }

            var list = await CheckAsync("ip", "netns", "list").ConfigureAwait(false);
            foreach (var line in list.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var name = line.Split(' ')[0];
                var owner = name.StartsWith(prefix, StringComparison.Ordinal) ? name[prefix.Length..].Split('-')[0] : null;
                if (owner is not null && !(int.TryParse(owner, System.Globalization.CultureInfo.InvariantCulture, out var pid) && Directory.Exists($"/proc/{pid}")))
                {
                    await DeleteNamespaceAsync(name).ConfigureAwait(false);
                }
            }

            StaleRemoved.Add(prefix);
        }
        finally
        {
            StaleCleanup.Release();
        }
    }

    private static void KillQuietly(int pid)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            p.Kill();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    private static async Task DeleteNamespaceAsync(string ns)
    {
        // Processes still inside (ours: hosts, speakers, captures) would keep the namespace alive after its name goes.
        var pids = await RunAsync("ip", "netns", "pids", ns).ConfigureAwait(false);
        foreach (var pid in pids.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            KillQuietly(int.Parse(pid.Trim(), System.Globalization.CultureInfo.InvariantCulture));
        }

        await RunAsync("ip", "netns", "del", ns).ConfigureAwait(false);
    }
}
