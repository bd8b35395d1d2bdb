using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using IronLb.Testing.Network;

namespace IronLb.Chaos.Soak;

/// <summary>How long, which seed, and where progress lines go.</summary>
internal sealed record SoakOptions(TimeSpan Duration, int Seed, Action<string> Progress)
{
    /// <summary>From the API first showing an address as one to answer until the wire is judged for it.</summary>
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Churn alone before the first fault: the baseline.</summary>
    public TimeSpan LeadIn { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>FaultOperations.ReplicaUid: the uid the lab runs controller replicas as.</summary>
    public int ReplicaUid { get; init; } = 65534;
}

/// <summary>
/// The chaos soak (issue 14): a lab driven for a while through random faults of the matrix, one at a time, each
/// held and healed with a quiet gap after it, while churn creates and deletes Services and edits, deletes and
/// re-adds the soak's pool and advertisement. The client's wire is probed every 100 ms and the API read every
/// 250 ms throughout; <see cref="SoakJudge"/> and <see cref="SoakReport"/> turn that into the report. The lab
/// is left as it was found: every fault healed and every soak object removed, on every exit path.
/// </summary>
internal static class SoakRunner
{
    public static async Task<SoakReport> RunAsync(SoakLab lab, SoakOptions options, CancellationToken ct)
    {
        var log = new ConcurrentQueue<SoakLogLine>();
        var status = await lab.StatusAsync();
        var macs = status.Nodes.ToDictionary(n => n.ExternalMac, n => n.Name, StringComparer.Ordinal);
        string NodeOfMac(string mac) => macs.GetValueOrDefault(mac, mac);
        using var api = lab.Connect(status);
        await SoakObjects.SetUpAsync(api, ct);

        var targets = await TargetsAsync(api, ct);
        using var prober = await NeighbourProber.StartAsync(status.ClientNetns, status.ClientInterface, targets, TimeSpan.FromMilliseconds(100));
        var faults = new SoakFaults(lab, api, options.ReplicaUid, Log);
        var phases = new List<Phase>();
        ChurnCounts churnCounts;
        await using (var watch = new ClusterWatch(api, () => prober.Now))
        {
            try
            {
                using var gate = new SemaphoreSlim(1);
                using var stopChurn = CancellationTokenSource.CreateLinkedTokenSource(ct);
                var churner = new Churner(api, gate, Log);
                var churning = Task.Run(() => churner.RunAsync(SoakSchedule.Churn(options.Seed), stopChurn.Token), CancellationToken.None);
                try
                {
                    var end = prober.Now + options.Duration;
                    phases.Add(new Phase(0, FaultKind.None, "-", prober.Now, prober.Now, prober.Now));
                    await Task.Delay(options.LeadIn, ct);
                    foreach (var step in SoakSchedule.Faults(options.Seed, [.. status.Nodes.Select(n => n.Name)]))
                    {
                        if (prober.Now + step.Hold + step.Quiet > end)
                        {
                            break;
                        }

                        await RunStepAsync(step, faults, gate, phases, prober, Log, ct);
                    }

                    var left = end - prober.Now;
                    if (left > TimeSpan.Zero)
                    {
                        await Task.Delay(left, ct);
                    }
                }
                finally
                {
                    await stopChurn.CancelAsync();
                    await churning;
                    churnCounts = churner.Counts;
                    phases[^1] = phases[^1] with { End = prober.Now };
                }
            }
            finally
            {
                await faults.HealEverythingAsync();
            }

            // Judge before the soak objects go: their removal is not a fault.
            var (rounds, replies) = prober.Snapshot();
            var samples = WireJudge.Samples(rounds, replies, targets);
            var snapshots = watch.Snapshots;
            var verdicts = SoakJudge.Judge(samples, snapshots, phases, options.WarmUp);
            await SoakObjects.RemoveAllAsync(api, CancellationToken.None);
            return new SoakReport(
                options.Seed, options.Duration, status.Nodes.Count, LoadAverage(), rounds.Count, targets.Count, snapshots.Count, watch.FailedReads,
                verdicts, churnCounts, watch.Lost, watch.Conflicts, [.. log], NodeOfMac);
        }

        void Log(string line)
        {
            var stamped = new SoakLogLine(prober.Now, line);
            log.Enqueue(stamped);
            options.Progress(stamped.ToString());
        }
    }

    private static async Task RunStepAsync(FaultStep step, SoakFaults faults, SemaphoreSlim gate, List<Phase> phases, NeighbourProber prober, Action<string> log, CancellationToken ct)
    {
        var pausesChurn = SoakFaults.PausesChurn(step.Kind);
        if (pausesChurn)
        {
            await gate.WaitAsync(ct);
        }

        try
        {
            var phase = phases.Count;
            await faults.RunAsync(
                step,
                () =>
                {
                    phases[^1] = phases[^1] with { End = prober.Now };
                    phases.Add(new Phase(step.Index, step.Kind, step.Node, prober.Now, null, TimeSpan.MaxValue));
                    log($"fault {step.Index}: {step.Kind} at {step.Node}, held {step.Hold.TotalSeconds:0.0} s");
                },
                () =>
                {
                    phases[phase] = phases[phase] with { Healed = prober.Now };
                    log($"fault {step.Index}: healed");
                },
                ct);
            // The quiet gap: the heal settles, the churn goes on; what happens still counts against this fault.
            await Task.Delay(step.Quiet, ct);
        }
        finally
        {
            if (pausesChurn)
            {
                gate.Release();
            }
        }
    }

    /// <summary>
    /// What the client asks for every round: every external address a Service holds at the start (the example's),
    /// the soak pool's, and the IPv6 addresses Services ask for. Asking for an address nobody should have is
    /// harmless; an answer to it is no double unless two nodes give it.
    /// </summary>
    private static async Task<IReadOnlyList<IPAddress>> TargetsAsync(IronLb.Kubernetes.Client.KubeConnection api, CancellationToken ct)
    {
        IPNetwork[] external = [IPNetwork.Parse("192.0.2.0/24"), IPNetwork.Parse("2001:db8:3a::/64")];
        using var services = System.Text.Json.JsonDocument.Parse(await api.GetAsync("api/v1/services", ct));
        var held = services.RootElement.GetProperty("items").EnumerateArray().Select(ClusterSnapshot.ReadService)
            .SelectMany(s => s.Ingress).Select(IPAddress.Parse).Where(a => external.Any(n => n.Contains(a)));
        return [.. held.Concat(SoakObjects.PoolAddresses).Concat(SoakObjects.RequestedIpv6).Distinct().OrderBy(a => a.ToString(), StringComparer.Ordinal)];
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
}
