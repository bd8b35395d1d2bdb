using System.Collections.Immutable;
using IronLb.Lab.Processes;
using IronLb.Lab.State;

namespace IronLb.Lab.Routers;

/// <summary>
/// BIRD 2 in a namespace: one daemon, its control socket in the router's state directory, read with
/// `birdc -s SOCKET show route all` and `show protocols all`. Its kernel protocols put the chosen paths in the
/// namespace's kernel table, merged into multipath routes where BGP found equal ones.
/// </summary>
internal sealed class BirdRouter : IBgpRouter
{
    private readonly RouterDaemons _daemons;

    private BirdRouter(RouterSpec spec)
    {
        Spec = spec;
        _daemons = new RouterDaemons(spec);
    }

    public RouterSpec Spec { get; }

    public string Software => "bird";

    public ImmutableArray<ProcessRecord> Processes => _daemons.Processes;

    public string ControlSocket => Path.Combine(Spec.StateDirectory, "bird.ctl");

    public static Task<BirdRouter> StartAsync(RouterSpec spec)
    {
        var router = new BirdRouter(spec);
        return RouterDaemons.StartOrStopAsync(router, router.RunAsync);
    }

    public Task<string> BirdcAsync(params string[] command) => CommandRunner.CheckAsync("birdc", ["-s", ControlSocket, .. command]);

    public async Task<RouterView> ReadViewAsync()
    {
        var drops = new List<string>();
        var paths = BirdRouteParser.Parse(await BirdcAsync("show", "route", "all").ConfigureAwait(false), drops);
        var neighbours = BirdProtocolParser.Parse(await BirdcAsync("show", "protocols", "all").ConfigureAwait(false), drops);
        return new RouterView(paths, neighbours, [.. drops]);
    }

    public async ValueTask DisposeAsync()
    {
        await _daemons.StopAsync().ConfigureAwait(false);
        File.Delete(ControlSocket);
    }

    private async Task RunAsync()
    {
        Directory.CreateDirectory(Spec.StateDirectory);
        var conf = Path.Combine(Spec.StateDirectory, "bird.conf");
        await File.WriteAllTextAsync(conf, BirdConfig.Write(Spec)).ConfigureAwait(false);
        var bird = _daemons.Start("bird", "bird", "-f", "-c", conf, "-s", ControlSocket, "-P", Path.Combine(Spec.StateDirectory, "bird.pid"));
        await _daemons.WaitAsync(bird, async () => (await CommandRunner.RunAsync("birdc", "-s", ControlSocket, "show", "status").ConfigureAwait(false)).Ok).ConfigureAwait(false);
    }
}
