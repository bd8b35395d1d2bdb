using System.Collections.Immutable;
using IronLb.Lab.Processes;
using IronLb.Lab.State;

namespace IronLb.Lab.Routers;

/// <summary>
/// FRR in a namespace: zebra (so the chosen paths, ECMP included, reach the namespace's kernel table) and bgpd. Both
/// run with a pathspace named after the router (`-N NAME`), so their sockets and pid files live in /var/run/frr/NAME/
/// and any number of routers coexist with each other and with a system FRR. vtysh reaches them by the same
/// pathspace from anywhere: `vtysh -N NAME -c '...'` (the namespace does not matter to a unix socket; see
/// <see cref="VtyshCommand"/> for why `ip netns exec NS vtysh` alone cannot find them).
/// </summary>
internal sealed class FrrRouter : IBgpRouter
{
    public const string DaemonDirectory = "/usr/lib/frr";

    private readonly RouterDaemons _daemons;

    private FrrRouter(RouterSpec spec)
    {
        Spec = spec;
        _daemons = new RouterDaemons(spec);
    }

    public RouterSpec Spec { get; }

    public string Software => "frr";

    public ImmutableArray<ProcessRecord> Processes => _daemons.Processes;

    /// <summary>Where FRR puts a pathspace's sockets and pid files.</summary>
    public static string SocketDirectory(string pathspace) => Path.Combine("/var/run/frr", pathspace);

    /// <summary>
    /// The command that reads this router, for people and scripts. `ip netns exec` only swaps /etc/netns/NS/* over
    /// /etc; FRR's sockets are under /var/run/frr, which no netns or vtysh.conf setting moves, so a plain `vtysh`
    /// would look for the one system-wide FRR. The pathspace is what tells vtysh which router to talk to.
    /// </summary>
    public static IReadOnlyList<string> VtyshCommand(string pathspace, string command) => ["vtysh", "-N", pathspace, "-c", command];

    public static Task<FrrRouter> StartAsync(RouterSpec spec)
    {
        var router = new FrrRouter(spec);
        return RouterDaemons.StartOrStopAsync(router, router.RunAsync);
    }

    public async Task<string> VtyshAsync(string command, string? daemon = null)
    {
        var args = daemon is null ? VtyshCommand(Spec.Name, command) : [.. VtyshCommand(Spec.Name, command), "-d", daemon];
        return await CommandRunner.CheckAsync(args[0], [.. args.Skip(1)]).ConfigureAwait(false);
    }

    public async Task<RouterView> ReadViewAsync()
    {
        var drops = new List<string>();
        var v4 = FrrViewParser.Routes(await VtyshAsync("show bgp ipv4 unicast json detail").ConfigureAwait(false), drops);
        var v6 = FrrViewParser.Routes(await VtyshAsync("show bgp ipv6 unicast json detail").ConfigureAwait(false), drops);
        var neighbours = FrrViewParser.Summary(await VtyshAsync("show bgp summary json").ConfigureAwait(false), drops);
        return new RouterView([.. v4, .. v6], neighbours, [.. drops]);
    }

    public async ValueTask DisposeAsync()
    {
        await _daemons.StopAsync().ConfigureAwait(false);
        if (Directory.Exists(SocketDirectory(Spec.Name)))
        {
            Directory.Delete(SocketDirectory(Spec.Name), recursive: true);
        }
    }

    private async Task RunAsync()
    {
        Directory.CreateDirectory(Spec.StateDirectory);
        var bgpdConf = Path.Combine(Spec.StateDirectory, "bgpd.conf");
        var zebraConf = Path.Combine(Spec.StateDirectory, "zebra.conf");
        await File.WriteAllTextAsync(bgpdConf, FrrConfig.Bgpd(Spec)).ConfigureAwait(false);
        await File.WriteAllTextAsync(zebraConf, FrrConfig.Zebra(Spec)).ConfigureAwait(false);
        // The daemons drop to the frr user, which must be able to write its pid file and sockets here.
        var sockets = SocketDirectory(Spec.Name);
        Directory.CreateDirectory(sockets);
        await CommandRunner.CheckAsync("chown", "frr:frr", sockets).ConfigureAwait(false);

        // -P 0: no TCP vty; vtysh uses the pathspace's unix sockets, and no port is taken in the namespace.
        string[] common = ["-N", Spec.Name, "--log", "stdout", "-P", "0"];
        var zebra = _daemons.Start("frr-zebra", [Path.Combine(DaemonDirectory, "zebra"), .. common, "-f", zebraConf]);
        await _daemons.WaitAsync(zebra, () => AnswersAsync("zebra")).ConfigureAwait(false);
        // Listening on given addresses makes bgpd leave the kernel alone (-l implies -n), so it is used only when asked.
        var listen = Spec.ListenAddresses.SelectMany(a => new[] { "-l", a.ToString() });
        var bgpd = _daemons.Start("frr-bgpd", [Path.Combine(DaemonDirectory, "bgpd"), .. common, .. listen, "-f", bgpdConf]);
        await _daemons.WaitAsync(bgpd, () => AnswersAsync("bgpd")).ConfigureAwait(false);
    }

    private async Task<bool> AnswersAsync(string daemon) =>
        (await CommandRunner.RunAsync("vtysh", "-N", Spec.Name, "-d", daemon, "-c", "show version").ConfigureAwait(false)).Ok;
}
