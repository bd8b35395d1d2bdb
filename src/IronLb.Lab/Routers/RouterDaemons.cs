using System.Collections.Immutable;
using System.Diagnostics;
using IronLb.Lab.Processes;
using IronLb.Lab.State;

namespace IronLb.Lab.Routers;

/// <summary>
/// Starts a router's daemons inside its namespace through the lab's <see cref="Supervisor"/> (own session, output to a
/// log in the state directory), waits for them to answer, and stops them: the part FRR and BIRD share.
/// </summary>
internal sealed class RouterDaemons(RouterSpec spec)
{
    /// <summary>Generous: on two loaded cores a daemon can take seconds to open its control socket.</summary>
    public static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

    private readonly Supervisor _supervisor = new();
    private readonly List<ProcessRecord> _started = [];

    public ImmutableArray<ProcessRecord> Processes => [.. _started];

    /// <summary>Runs a new router's <paramref name="start"/>; when it fails, stops whatever it started, then rethrows.</summary>
    public static async Task<T> StartOrStopAsync<T>(T router, Func<Task> start)
        where T : IAsyncDisposable
    {
        try
        {
            await start().ConfigureAwait(false);
            return router;
        }
        catch
        {
            await router.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Starts <paramref name="program"/> and its arguments in the router's namespace; the role names the log.</summary>
    public ProcessRecord Start(string role, params string[] program)
    {
        var log = Path.Combine(spec.StateDirectory, $"{role}.log");
        var record = _supervisor.Start(role, spec.Name, ["ip", "netns", "exec", spec.Netns, .. program], log);
        _started.Add(record);
        return record;
    }

    /// <summary>Polls until <paramref name="answers"/> holds; throws with the daemon's log when it died or never answered.</summary>
    public async Task WaitAsync(ProcessRecord daemon, Func<Task<bool>> answers)
    {
        var clock = Stopwatch.StartNew();
        while (!await answers().ConfigureAwait(false))
        {
            if (!Supervisor.IsAlive(daemon))
            {
                throw new LabCommandException($"{daemon.Role} of router {spec.Name} exited ({_supervisor.ExitCode(daemon)?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "code unknown"}): {Supervisor.Tail(daemon.Log, 20)}");
            }

            if (clock.Elapsed > StartDeadline)
            {
                throw new LabCommandException($"{daemon.Role} of router {spec.Name} did not answer within {StartDeadline.TotalSeconds:0} s: {Supervisor.Tail(daemon.Log, 20)}");
            }

            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    /// <summary>Stops every daemon, the last started first (bgpd before the zebra it talks to), and waits until each is gone.</summary>
    public async Task StopAsync()
    {
        foreach (var record in Enumerable.Reverse(_started))
        {
            await Supervisor.StopAsync(record, StopGrace).ConfigureAwait(false);
        }

        _started.Clear();
    }
}
