using System.Collections.Immutable;
using System.Globalization;
using IronLb.Lab.Processes;
using IronLb.Lab.State;

namespace IronLb.Lab.Operations;

/// <summary>pause/resume (SIGSTOP/SIGCONT) and controller-replicas, for the fault matrix (issue 14).</summary>
internal static class FaultOperations
{
    public const string Stop = "STOP";
    public const string Continue = "CONT";
    public const int MaxReplicas = 3;

    /// <summary>
    /// The replicas run as nobody: a node's nftables can then match their packets by owner (meta skuid) and
    /// black-hole a replica without touching the speaker beside it, which runs as root in the same namespace.
    /// </summary>
    public const int ReplicaUid = 65534;

    /// <summary>
    /// Lease timing of the replicas: short, so a lab shows a handover in seconds (the defaults take 15 s). Renew
    /// deadline plus write timeout (80% of the rest, 1.6 s) stays under the lease, as the controller requires.
    /// </summary>
    private static readonly string[] LeaseTiming = ["--lease-duration", "6s", "--renew-deadline", "4s", "--retry-period", "1s"];

    public static async Task<int> SignalAsync(LabSession session, string role, string? node, string signal)
    {
        if (session.State.Process(role, node) is not { } record || !Supervisor.IsAlive(record))
        {
            await Console.Error.WriteLineAsync($"ironlb-lab: no running {role}{(node is null ? "" : " on " + node)} in lab {session.State.Name}").ConfigureAwait(false);
            return LabExit.Failed;
        }

        // The shell's builtin kill, as Supervisor uses; checked alive right before, so a reused pid is never touched.
        var result = await CommandRunner.RunAsync("sh", "-c", "kill -s \"$1\" \"$2\"", "sh", signal, record.Pid.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
        if (!result.Ok)
        {
            await Console.Error.WriteLineAsync($"ironlb-lab: SIG{signal} to the {role} (pid {record.Pid}): {result}").ConfigureAwait(false);
            return LabExit.Failed;
        }

        await Console.Out.WriteLineAsync($"ironlb-lab: sent SIG{signal} to the {role}{(node is null ? "" : " of " + node)} (pid {record.Pid})").ConfigureAwait(false);
        return LabExit.Ok;
    }

    /// <summary>Stops every controller, then starts <paramref name="replicas"/> leader-electing ones in node namespaces, or the host's one for 0.</summary>
    public static async Task<int> ReplicasAsync(LabSession session, int replicas, CancellationToken cancellationToken)
    {
        if (replicas > session.Plan.Nodes.Length)
        {
            await Console.Error.WriteLineAsync($"ironlb-lab: lab {session.State.Name} has {session.Plan.Nodes.Length} nodes, too few for {replicas} replicas").ConfigureAwait(false);
            return LabExit.Usage;
        }

        if (session.State.Process(Roles.Controller) is not { } host)
        {
            await Console.Error.WriteLineAsync($"ironlb-lab: lab {session.State.Name} has no controller").ConfigureAwait(false);
            return LabExit.Failed;
        }

        foreach (var running in session.State.Processes.Where(p => p.Role == Roles.Controller && Supervisor.IsAlive(p)))
        {
            await Supervisor.StopAsync(running, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }

        if (replicas == 0)
        {
            return await ProcessOperations.RestartAsync(session, Roles.Controller, null, cancellationToken).ConfigureAwait(false);
        }

        var supervisor = new Supervisor();
        foreach (var node in session.Plan.Nodes.Take(replicas))
        {
            // The host controller's own arguments, run inside the node's namespace as nobody, electing a leader.
            var id = ReplicaUid.ToString(CultureInfo.InvariantCulture);
            ImmutableArray<string> command =
            [
                "ip", "netns", "exec", node.Namespace, "setpriv", "--reuid", id, "--regid", id, "--clear-groups",
                .. host.Command, "--leader-elect", "--pod-name", $"controller-{node.Name}", .. LeaseTiming,
            ];
            var started = supervisor.Start(Roles.Controller, node.Name, command, Path.Combine(session.Store.Directory, $"{Roles.Controller}-{node.Name}.log"));
            await session.RecordAsync(s => s.WithProcess(started)).ConfigureAwait(false);
            await Console.Out.WriteLineAsync($"ironlb-lab: started controller-{node.Name} in {node.Namespace} as uid {id} (pid {started.Pid})").ConfigureAwait(false);
        }

        return LabExit.Ok;
    }
}
