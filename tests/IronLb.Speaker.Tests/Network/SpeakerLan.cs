using System.Security.Cryptography;
using static IronLb.Testing.Network.Shell;

namespace IronLb.Speaker.Tests.Network;

/// <summary>
/// Fresh namespaces per test (adapted from the Networking tests' LanTopology): "lan" holds two bridges,
/// external and office; "client" sits on both as ext0 (192.0.2.1, 2001:db8:1::1) and ofc0 (198.51.100.1,
/// 2001:db8:2::1); node1 and node2 have eno2 on external and eno3 on office. Documentation prefixes only,
/// connected routes only, nothing on the host's interfaces. Removed on dispose, even after a failure.
/// </summary>
internal sealed class SpeakerLan : IAsyncDisposable
{
    public const string Prefix = "ilbs-";
    private static readonly SemaphoreSlim StaleCleanup = new(1, 1);
    private static bool _staleRemoved;

    private readonly List<string> _namespaces = [];
    private readonly List<IAsyncDisposable> _owned = [];

    private SpeakerLan(string id) => Id = id;

    public string Id { get; }

    public string Lan => $"{Prefix}{Id}-lan";

    public string Client => $"{Prefix}{Id}-client";

    public string Node(int n) => $"{Prefix}{Id}-node{n}";

    public static async Task<SpeakerLan> CreateAsync()
    {
        await RemoveStaleAsync().ConfigureAwait(false);
        // The creating process's id is part of the name, so stale clean-up never touches a live run's namespaces.
        var t = new SpeakerLan($"{Environment.ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}");
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

    /// <summary>Something to stop before the namespaces go (speaker processes).</summary>
    public T Own<T>(T resource)
        where T : IAsyncDisposable
    {
        _owned.Add(resource);
        return resource;
    }

    public async Task<string> MacAsync(string ns, string device) =>
        (await CheckAsync("ip", "netns", "exec", ns, "cat", $"/sys/class/net/{device}/address").ConfigureAwait(false)).Trim().ToLowerInvariant();

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

        foreach (var bridge in new[] { "brext", "brofc" })
        {
            // Snooping off: nothing sends MLD queries here, so solicited-node multicast must just flood.
            await IpAsync("-n", Lan, "link", "add", bridge, "type", "bridge", "mcast_snooping", "0").ConfigureAwait(false);
            await IpAsync("-n", Lan, "link", "set", bridge, "up").ConfigureAwait(false);
        }

        await PlugAsync("brext", "c-ext0", Client, "ext0").ConfigureAwait(false);
        await PlugAsync("brofc", "c-ofc0", Client, "ofc0").ConfigureAwait(false);
        await IpAsync("-n", Client, "addr", "add", "192.0.2.1/24", "dev", "ext0").ConfigureAwait(false);
        await IpAsync("-n", Client, "addr", "add", "2001:db8:1::1/64", "dev", "ext0", "nodad").ConfigureAwait(false);
        await IpAsync("-n", Client, "addr", "add", "198.51.100.1/24", "dev", "ofc0").ConfigureAwait(false);
        await IpAsync("-n", Client, "addr", "add", "2001:db8:2::1/64", "dev", "ofc0", "nodad").ConfigureAwait(false);
        for (var n = 1; n <= 2; n++)
        {
            await PlugAsync("brext", $"n{n}-eno2", Node(n), "eno2").ConfigureAwait(false);
            await PlugAsync("brofc", $"n{n}-eno3", Node(n), "eno3").ConfigureAwait(false);
            await IpAsync("-n", Node(n), "addr", "add", $"192.0.2.1{n}/24", "dev", "eno2").ConfigureAwait(false);
            await IpAsync("-n", Node(n), "addr", "add", $"2001:db8:1::1{n}/64", "dev", "eno2", "nodad").ConfigureAwait(false);
            await IpAsync("-n", Node(n), "addr", "add", $"198.51.100.1{n}/24", "dev", "eno3").ConfigureAwait(false);
            await IpAsync("-n", Node(n), "addr", "add", $"2001:db8:2::1{n}/64", "dev", "eno3", "nodad").ConfigureAwait(false);
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
    private static async Task RemoveStaleAsync()
    {
        await StaleCleanup.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_staleRemoved)
            {
                return;
            }

            var list = await CheckAsync("ip", "netns", "list").ConfigureAwait(false);
            foreach (var line in list.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var name = line.Split(' ')[0];
                var owner = name.StartsWith(Prefix, StringComparison.Ordinal) ? name[Prefix.Length..].Split('-')[0] : null;
                if (owner is not null && !(int.TryParse(owner, System.Globalization.CultureInfo.InvariantCulture, out var pid) && Directory.Exists($"/proc/{pid}")))
                {
                    await DeleteNamespaceAsync(name).ConfigureAwait(false);
                }
            }

            _staleRemoved = true;
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
        // Processes still inside (our speakers) would keep the namespace alive after its name goes.
        var pids = await RunAsync("ip", "netns", "pids", ns).ConfigureAwait(false);
        foreach (var pid in pids.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            KillQuietly(int.Parse(pid.Trim(), System.Globalization.CultureInfo.InvariantCulture));
        }

        await RunAsync("ip", "netns", "del", ns).ConfigureAwait(false);
    }
}
