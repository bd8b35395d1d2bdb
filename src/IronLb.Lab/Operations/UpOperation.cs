using System.Collections.Immutable;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using IronLb.Lab.Cluster;
using IronLb.Lab.Processes;
using IronLb.Lab.State;
using IronLb.Lab.Topology;

namespace IronLb.Lab.Operations;

/// <summary>
/// `ironlb-lab up`: topology, API server, manifests, Node status, membership key, controller, speakers; then
/// waits until the controller has assigned every LoadBalancer Service and says what to try. Whatever it made
/// is on record before it is made, so `down` removes it even after a failure or a crash here.
/// </summary>
internal sealed class UpOperation(UpOptions options)
{
    public const string KubeconfigFile = "kubeconfig";

    /// <summary>KubeSim's own kubeconfig (127.0.0.1): for the host only, and the sweep's mark of the API server.</summary>
    public const string LoopbackKubeconfigFile = "apiserver-loopback.kubeconfig";

    /// <summary>The controller's and the speakers' kubeconfigs: tokens for their ServiceAccounts, written by the API server.</summary>
    public const string ControllerKubeconfigFile = "controller.kubeconfig";

    public const string SpeakerKubeconfigFile = "speaker.kubeconfig";

    /// <summary>Where the speakers write ServiceL2Status (their --namespace default, like MetalLB's).</summary>
    private const string MetalLbNamespace = "metallb-system";

    private static readonly TimeSpan SpeakerSettle = TimeSpan.FromSeconds(5);

    private readonly Supervisor _supervisor = new();

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var names = LabNames.Create(options.Name);
        var store = new StateStore(names.StateDirectory(options.StateRoot));
        if (Executables.FindIronLb(options.IronLb, out var searched) is not { } ironlb)
        {
            await Console.Error.WriteLineAsync($"ironlb-lab: cannot find the ironlb executable (looked at {searched}); build it or pass --ironlb PATH").ConfigureAwait(false);
            return LabExit.Failed;
        }

        var example = ExampleCluster.Arrange([.. Manifest.Load(options.Example), .. options.Bgp is null ? [] : Manifest.Load(options.Bgp)], options.Nodes);
        var crds = Manifest.Load(options.Crds);
        LabSession session;
        LabPlan plan;
        IPNetwork subnet;
        // Name and subnet are claimed under the state root's lock: two `up`s at once never take the same ones.
        using (await StateRootLock.AcquireAsync(options.StateRoot, cancellationToken).ConfigureAwait(false))
        {
            if (!await ClearOwnLeftoversAsync(names, store, cancellationToken).ConfigureAwait(false))
            {
                return LabExit.Failed;
            }

            if (await ChooseSubnetAsync(cancellationToken).ConfigureAwait(false) is not { } chosen)
            {
                return LabExit.Failed;
            }

            subnet = chosen;
            var pods = PodPlacement.Place(example.Manifests.Select(ExampleService.From).OfType<ExampleService>(), example.NodeNames);
            plan = LabPlan.Create(names, example.NodeNames, subnet, pods, router: options.Bgp is not null);
            // Readable by everyone, so kubectl and `ironlb status` work without sudo (the lab's admin token is no
            // secret); the membership key alone is root's.
            Directory.CreateDirectory(store.Directory);
            session = LabSession.Begin(store, new LabState
            {
                Name = options.Name,
                StateDirectory = store.Directory,
                ManagementSubnet = subnet.ToString(),
                NodeNames = [.. example.NodeNames],
                IronLb = ironlb,
                Kubeconfig = Path.Combine(store.Directory, KubeconfigFile),
                ApiServer = plan.ApiServer.GetLeftPart(UriPartial.Authority),
                MembershipKeyFile = Path.Combine(store.Directory, "membership.key"),
                Builder = Supervisor.Self("up"),
                Pods = plan.Pods.Select(p => p.Pod).ToImmutableArray(),
                Bgp = plan.RemoteClient is not null,
            });
            await session.RecordAsync(s => s).ConfigureAwait(false);
        }

        await Step($"network: {plan.Nodes.Length} node namespaces, external/office/management LANs, management {subnet} (host {plan.HostManagementAddress} on {names.HostLink}), {plan.Pods.Length} pods routed between the nodes").ConfigureAwait(false);
        await new TopologyBuilder(plan, session.RecordAsync).BuildAsync().ConfigureAwait(false);

        if (options.Bgp is not null)
        {
            await Step($"router: FRR (AS {Routers.LabRouter.Asn}) in {names.RouterNamespace} on the external LAN, a passive neighbour per node (AS {Routers.LabRouter.NodeAsn}), and behind it a client ({plan.RemoteClient!.Namespace}, {RemoteClientPlan.AddressCidr}); read it with: {PrintedCommand.AsRoot([.. Routers.FrrRouter.VtyshCommand(names.RouterNamespace, "show bgp summary")])}").ConfigureAwait(false);
            await Routers.LabRouter.StartAsync(plan, session).ConfigureAwait(false);
        }

        await WriteMembershipKeyAsync(session.State.MembershipKeyFile).ConfigureAwait(false);

        await Step($"API server (KubeSim) on {plan.ApiServer}, RBAC from {options.Rbac} enforced").ConfigureAwait(false);
        var loopback = Path.Combine(store.Directory, LoopbackKubeconfigFile);
        var access = new LabAccess(options.Rbac, Path.Combine(store.Directory, ControllerKubeconfigFile), Path.Combine(store.Directory, SpeakerKubeconfigFile));
        foreach (var stale in new[] { loopback, access.ControllerKubeconfig, access.SpeakerKubeconfig })
        {
            File.Delete(stale);
        }
        var apiserver = await StartAsync(session, Roles.ApiServer, null,
            LabCommands.ApiServer(Executables.Self(), loopback, plan, access, store.Path)).ConfigureAwait(false);
        // The speakers' kubeconfig is written last, once deploy/rbac's objects exist.
        if (!await WaitAsync(() => Task.FromResult(File.Exists(access.SpeakerKubeconfig)), [apiserver], cancellationToken).ConfigureAwait(false))
        {
            return await FailAsync("the API server wrote no kubeconfigs for the components", [apiserver]).ConfigureAwait(false);
        }
        // The admin's kubeconfig is the API server's own: HTTPS on loopback, because kubectl sends its token over HTTPS only.
        File.Copy(loopback, session.State.Kubeconfig, overwrite: true);
        using var cluster = ClusterClient.Create(session.State.Kubeconfig);
        if (!await WaitAsync(() => cluster.IsServingAsync(cancellationToken), [apiserver], cancellationToken).ConfigureAwait(false))
        {
            return await FailAsync($"the API server did not answer on {plan.ApiServer}", [apiserver]).ConfigureAwait(false);
        }

        await Step($"applying {crds.Count} CRDs from {options.Crds} and {example.Manifests.Count} objects from {options.Example}").ConfigureAwait(false);
        await ApplyAsync(cluster, crds, example, plan, cancellationToken).ConfigureAwait(false);

        await Step("controller and speakers").ConfigureAwait(false);
        var controller = await StartAsync(session, Roles.Controller, null, LabCommands.Controller(ironlb, access.ControllerKubeconfig)).ConfigureAwait(false);
        var speakers = new List<ProcessRecord>();
        foreach (var node in plan.Nodes)
        {
            var command = LabCommands.Speaker(ironlb, node, access.SpeakerKubeconfig, session.State.MembershipKeyFile, options.SpeakerArgs);
            speakers.Add(await StartAsync(session, Roles.Speaker, node.Name, command).ConfigureAwait(false));
        }

        var started = Stopwatch.StartNew();
        var assigned = await WaitAsync(async () => (await Unassigned(cluster, cancellationToken).ConfigureAwait(false)).Count == 0, [apiserver, controller], cancellationToken).ConfigureAwait(false);
        // Then until a speaker reports each Service as announced: from then on the clients get answers.
        var announced = assigned && await WaitAsync(async () =>
        {
            var services = await cluster.LoadBalancerServicesAsync(cancellationToken).ConfigureAwait(false);
            var reported = await cluster.AnnouncedAsync(MetalLbNamespace, cancellationToken).ConfigureAwait(false);
            return services.All(s => reported.Contains(s.ToString()));
        }, [apiserver, controller, .. speakers], cancellationToken).ConfigureAwait(false);
        if (started.Elapsed < SpeakerSettle)
        {
            // A speaker that cannot run exits within a second or two; give it that long to show it.
            await Task.Delay(SpeakerSettle - started.Elapsed, cancellationToken).ConfigureAwait(false);
        }

        var dead = session.State.Processes.Where(p => !Supervisor.IsAlive(p)).ToList();
        foreach (var record in dead)
        {
            await ProcessReport.DeadAsync(record, _supervisor.ExitCode(record)).ConfigureAwait(false);
        }

        var services = await cluster.LoadBalancerServicesAsync(cancellationToken).ConfigureAwait(false);
        if (!assigned)
        {
            await Console.Error.WriteLineAsync($"ironlb-lab: no address yet for {string.Join(", ", services.Where(s => s.Ingress.Count == 0))} (see {controller.Log})").ConfigureAwait(false);
        }
        else if (!announced && dead.Count == 0)
        {
            var reported = await cluster.AnnouncedAsync(MetalLbNamespace, cancellationToken).ConfigureAwait(false);
            await Console.Error.WriteLineAsync($"ironlb-lab: no speaker reports announcing {string.Join(", ", services.Where(s => !reported.Contains(s.ToString())))} (see the speaker logs)").ConfigureAwait(false);
        }

        await NextSteps.PrintAsync(session, services).ConfigureAwait(false);
        if (dead.Count > 0 || !assigned || !announced)
        {
            await Console.Error.WriteLineAsync($"ironlb-lab: the lab is up but not healthy (see above); {PrintedCommand.Lab("down", "--name", options.Name)} removes it").ConfigureAwait(false);
            return LabExit.Degraded;
        }

        return LabExit.Ok;
    }

    /// <summary>
    /// An earlier lab of this name of which nothing runs (a crash, or a `down` that failed) is removed here, so `up`
    /// can start again at once; one that still runs is the user's to remove. False after saying so.
    /// </summary>
    private async Task<bool> ClearOwnLeftoversAsync(LabNames names, StateStore store, CancellationToken cancellationToken)
    {
        if (!store.Exists && (await TopologySweeper.ListNamespacesAsync(names).ConfigureAwait(false)).Count == 0)
        {
            return true;
        }

        LabState? earlier;
        try
        {
            earlier = await store.LoadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (System.Text.Json.JsonException)
        {
            earlier = null; // cut short by a crash: its processes are found by their kubeconfig in the sweep below
        }

        if (earlier is not null && Supervisor.AnyAlive(earlier))
        {
            await Console.Error.WriteLineAsync($"ironlb-lab: a lab named {options.Name} runs; remove it first: {PrintedCommand.Lab("down", "--name", options.Name)}").ConfigureAwait(false);
            return false;
        }

        await Step($"removing what is left of an earlier lab {options.Name} (nothing of it runs)").ConfigureAwait(false);
        await DownOperation.RunAsync(names, options.StateRoot, keepLogs: false, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// The management subnet: free of host interfaces and running labs. Leftover labs in the way (nothing of them
    /// runs) are removed, keeping their logs; when nothing is free, the message names every holder. Null after
    /// saying why.
    /// </summary>
    private async Task<IPNetwork?> ChooseSubnetAsync(CancellationToken cancellationToken)
    {
        static string Remove(string lab) => PrintedCommand.Lab("down", "--name", lab);
        var used = await ManagementSubnets.InUseAsync(options.StateRoot, Remove, cancellationToken).ConfigureAwait(false);
        var chosen = ManagementSubnets.Choose(options.ManagementSubnet, used, out var problem);
        var leftovers = used.Where(u => u.Leftover && u.Lab is not null && LabNames.TryCreate(u.Lab, out _) is not null).ToList();
        if (chosen is null && leftovers.Count > 0)
        {
            foreach (var leftover in leftovers)
            {
                await Step($"reclaiming {leftover.Network} from lab {leftover.Lab}, a leftover of which nothing runs (its logs stay in {Path.Combine(options.StateRoot, leftover.Lab!)})").ConfigureAwait(false);
                await DownOperation.RunAsync(LabNames.Create(leftover.Lab!), options.StateRoot, keepLogs: true, cancellationToken).ConfigureAwait(false);
            }

            used = await ManagementSubnets.InUseAsync(options.StateRoot, Remove, cancellationToken).ConfigureAwait(false);
            chosen = ManagementSubnets.Choose(options.ManagementSubnet, used, out problem);
        }

        if (chosen is null)
        {
            await Console.Error.WriteLineAsync($"ironlb-lab: {problem}").ConfigureAwait(false);
        }

        return chosen;
    }

    private async Task ApplyAsync(ClusterClient cluster, IReadOnlyList<Manifest> crds, ExampleCluster example, LabPlan plan, CancellationToken cancellationToken)
    {
        foreach (var crd in crds)
        {
            await cluster.ApplyAsync(crd, cancellationToken).ConfigureAwait(false);
        }

        // Custom resources are served once their CRD is; wait for the kinds the example uses.
        foreach (var kind in example.Manifests.Where(m => crds.Any(c => c.Name.EndsWith("." + m.Group, StringComparison.Ordinal))).Select(m => (m.Group, m.Version, m.Kind)).Distinct())
        {
            if (!await WaitAsync(() => cluster.ServesAsync(kind.Group, kind.Version, kind.Kind, cancellationToken), [], cancellationToken).ConfigureAwait(false))
            {
                throw new InvalidDataException($"the API server does not serve {kind.Kind} in {kind.Group}/{kind.Version} after its CRD was applied");
            }
        }

        foreach (var manifest in example.Manifests)
        {
            await cluster.ApplyAsync(manifest, cancellationToken).ConfigureAwait(false);
        }

        // EndpointSlices come from the API server process's keeper (--endpoint-nodes), for these Services and later ones.
        foreach (var node in plan.Nodes)
        {
            await cluster.SetNodeReadyAsync(node.Name, [node.ManagementAddress.ToString(), node.ManagementAddressV6.ToString()],
                [node.PodRange.V4.ToString(), node.PodRange.V6.ToString()], TimeProvider.System.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<List<LoadBalancerService>> Unassigned(ClusterClient cluster, CancellationToken cancellationToken) =>
        [.. (await cluster.LoadBalancerServicesAsync(cancellationToken).ConfigureAwait(false)).Where(s => s.Ingress.Count == 0)];

    private async Task<ProcessRecord> StartAsync(LabSession session, string role, string? node, ImmutableArray<string> command)
    {
        var log = Path.Combine(session.Store.Directory, node is null ? $"{role}.log" : $"{role}-{node}.log");
        var record = _supervisor.Start(role, node, command, log);
        await session.RecordAsync(s => s.WithProcess(record)).ConfigureAwait(false);
        return record;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds (true), the deadline passes or one of
    /// <paramref name="vital"/> dies (false).</summary>
    private async Task<bool> WaitAsync(Func<Task<bool>> condition, IReadOnlyList<ProcessRecord> vital, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < options.Wait)
        {
            if (await condition().ConfigureAwait(false))
            {
                return true;
            }

            if (vital.Any(p => !Supervisor.IsAlive(p)))
            {
                return false;
            }

            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }

        return false;
    }

    private async Task<int> FailAsync(string message, IReadOnlyList<ProcessRecord> involved)
    {
        foreach (var record in involved.Where(p => !Supervisor.IsAlive(p)))
        {
            await ProcessReport.DeadAsync(record, _supervisor.ExitCode(record)).ConfigureAwait(false);
        }

        await Console.Error.WriteLineAsync($"ironlb-lab: {message}; remove the partial lab with: {PrintedCommand.Lab("down", "--name", options.Name)}").ConfigureAwait(false);
        return LabExit.Failed;
    }

    /// <summary>32 random bytes, base64, readable by root only (the speakers' membership authentication key).</summary>
    private static async Task WriteMembershipKeyAsync(string path)
    {
        var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        await using (stream.ConfigureAwait(false))
        {
            await using var writer = new StreamWriter(stream);
            await writer.WriteLineAsync(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))).ConfigureAwait(false);
        }
    }

    private static Task Step(string what) => Console.Out.WriteLineAsync($"ironlb-lab: {what}");
}
