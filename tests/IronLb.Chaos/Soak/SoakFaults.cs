using System.Globalization;
using System.Net;
using IronLb.Kubernetes.Client;
using IronLb.Testing.Network;

namespace IronLb.Chaos.Soak;

/// <summary>
/// Injects one fault of the schedule, holds it, heals it. The rules and the flood are the fault matrix's own
/// (<see cref="Faults"/>); signals go to the speaker's pid directly. <see cref="HealEverythingAsync"/> undoes
/// whatever any fault may have left, on every exit path of a run.
/// </summary>
internal sealed class SoakFaults(SoakLab lab, KubeConnection api, int replicaUid, Action<string> log)
{
    private const int FloodRate = 50_000;

    /// <summary>
    /// Kinds during which churn pauses, because what it changes could not be judged: a node that cannot reach
    /// the API, or whose configuration is frozen (invalid), cannot learn of a new Service, and nobody else may
    /// answer for it; a stopped API server refuses the churn anyway.
    /// </summary>
    public static bool PausesChurn(FaultKind kind) => kind is FaultKind.ApiBlackHole or FaultKind.ApiServerStopped or FaultKind.InvalidConfigRestart;

    /// <summary>Runs <paramref name="step"/>: returns when it is healed. <paramref name="injected"/> is called right before the fault.</summary>
    public async Task RunAsync(FaultStep step, Action injected, Action healed, CancellationToken ct)
    {
        var status = await lab.StatusAsync();
        var node = status.Node(step.Node);
        switch (step.Kind)
        {
            case FaultKind.None:
                injected();
                await Task.Delay(step.Hold, ct);
                healed();
                break;
            case FaultKind.Kill9 or FaultKind.Stop:
                var pid = node.SpeakerPid ?? throw new InvalidOperationException($"{node.Name}'s speaker is not running");
                injected();
                await SignalAsync(pid, step.Kind == FaultKind.Kill9 ? "KILL" : "STOP");
                await Task.Delay(step.Hold, ct);
                healed();
                if (step.Kind == FaultKind.Kill9)
                {
                    await lab.OkAsync("restart-speaker", "--node", node.Name);
                }
                else
                {
                    await SignalAsync(pid, "CONT");
                }

                break;
            case FaultKind.HeartbeatsCut or FaultKind.ApiBlackHole or FaultKind.HeartbeatsAndApiCut:
                injected();
                if (step.Kind != FaultKind.ApiBlackHole)
                {
                    await Faults.DropHeartbeatsAsync(node.Netns);
                }

                if (step.Kind != FaultKind.HeartbeatsCut)
                {
                    await Faults.BlackHoleApiAsync(node.Netns, status.Api);
                }

                await Task.Delay(step.Hold, ct);
                log($"fault {step.Index}: {await Faults.DroppedAsync(node.Netns)} packets dropped at {node.Name}");
                healed();
                await Faults.HealAsync(node.Netns);
                break;
            case FaultKind.HeartbeatsEverywhere:
                injected();
                foreach (var each in status.Nodes)
                {
                    await Faults.DropHeartbeatsAsync(each.Netns);
                }

                await Task.Delay(step.Hold, ct);
                healed();
                foreach (var each in status.Nodes)
                {
                    await Faults.HealAsync(each.Netns);
                }

                break;
            case FaultKind.ApiServerStopped:
                injected();
                await lab.OkAsync("pause", "--role", "apiserver");
                try
                {
                    await Task.Delay(step.Hold, ct);
                }
                finally
                {
                    healed();
                    await lab.OkAsync("resume", "--role", "apiserver");
                }

                break;
            case FaultKind.DiscoveryDeleted:
                injected();
                log($"fault {step.Index}: deleted {await SoakObjects.DeleteDiscoveryAsync(api, ct)} discovery objects");
                await Task.Delay(step.Hold, ct);
                healed();
                break;
            case FaultKind.InvalidConfigRestart:
                await SoakObjects.AddBrokenPoolAsync(api, ct);
                // The running speakers keep their last good configuration; then one restarts into the broken one.
                await Task.Delay(TimeSpan.FromSeconds(3), ct);
                injected();
                await lab.OkAsync("restart-speaker", "--node", node.Name);
                await Task.Delay(step.Hold, ct);
                healed();
                await SoakObjects.DeleteAsync(api, $"{SoakObjects.Pools}/{SoakObjects.BrokenPool}", ct);
                break;
            case FaultKind.LeaderBlackHole:
                await LeaderBlackHoleAsync(step, status, injected, healed, ct);
                break;
            case FaultKind.Flood:
                var target = new IPEndPoint(await Faults.ManagementAddressAsync(node.Netns), Faults.MembershipPort);
                var source = await Faults.AddFloodSourceAsync(lab.LanNamespace, status.Nodes[0].Netns);
                try
                {
                    injected();
                    var sent = await UdpBlaster.BlastAsync(lab.LanNamespace, source, target, Faults.FloodPayloads(), FloodRate, step.Hold, ct);
                    healed();
                    log(string.Create(CultureInfo.InvariantCulture, $"fault {step.Index}: flood of {sent} datagrams to {target} ({sent / step.Hold.TotalSeconds:0}/s)"));
                }
                finally
                {
                    await Faults.RemoveFloodSourceAsync(lab.LanNamespace, status.Nodes[0].Netns);
                }

                break;
            default:
                throw new InvalidOperationException($"no injector for {step.Kind}");
        }
    }

    /// <summary>Undoes whatever a fault may have left: rules, a paused API server or speaker, the flood source, replicas, dead speakers, the broken pool.</summary>
    public async Task HealEverythingAsync()
    {
        await lab.RunAsync("resume", "--role", "apiserver");
        var status = await lab.StatusAsync();
        foreach (var node in status.Nodes)
        {
            await Faults.HealAsync(node.Netns);
            if (node.SpeakerPid is { } pid)
            {
                await SignalAsync(pid, "CONT");
            }
        }

        await Faults.RemoveFloodSourceAsync(lab.LanNamespace, status.Nodes[0].Netns);
        if (status.Controllers != 1)
        {
            await lab.OkAsync("controller-replicas", "--replicas", "0");
        }

        foreach (var node in status.Nodes.Where(n => n.SpeakerPid is null))
        {
            await lab.OkAsync("restart-speaker", "--node", node.Name);
        }
    }

    /// <summary>Two leader-electing controller replicas; the leader's API packets dropped while the churn creates Services; back to the host's one.</summary>
    private async Task LeaderBlackHoleAsync(FaultStep step, SoakLabStatus status, Action injected, Action healed, CancellationToken ct)
    {
        await lab.OkAsync("controller-replicas", "--replicas", "2");
        try
        {
            string? leader = null;
            for (var waited = 0; leader is null && waited < 120; waited++)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
                leader = await SoakObjects.ControllerLeaderAsync(api, ct);
            }

            var node = status.Node(leader?["controller-".Length..] ?? throw new InvalidOperationException("no controller replica took the leader Lease in 120 s"));
            injected();
            await Faults.BlackHoleApiAsync(node.Netns, status.Api, replicaUid);
            await Task.Delay(step.Hold, ct);
            healed();
            log($"fault {step.Index}: leader {leader} cut off; {await Faults.DroppedAsync(node.Netns)} packets dropped; now {await SoakObjects.ControllerLeaderAsync(api, ct)} leads");
            await Faults.HealAsync(node.Netns);
            await Task.Delay(TimeSpan.FromSeconds(3), ct);
        }
        finally
        {
            await lab.OkAsync("controller-replicas", "--replicas", "0");
        }
    }

    private static async Task SignalAsync(int pid, string signal)
    {
        var result = await SoakLab.SignalAsync(pid, signal);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {pid}: {result}");
        }
    }
}
