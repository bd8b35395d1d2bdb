using IronLb.Lab.Operations;
using IronLb.Lab.State;
using IronLb.Lab.Topology;

namespace IronLb.Lab.Tests.Down;

/// <summary>
/// A one-node lab with one pod: its state and network exactly as `up` records and makes them (the same
/// TopologyBuilder, pod network included), but no processes: what `down` has to remove, made in about a second. The subnet is claimed under the state root's
/// lock like `up` does, so real labs running beside the tests never get the same one.
/// </summary>
internal static class MiniLab
{
    public const string StateRoot = StateStore.DefaultRoot;

    public static async Task<LabPlan> BuildAsync(string name, ProcessRecord builder, CancellationToken cancellationToken)
    {
        var names = LabNames.Create(name);
        var store = new StateStore(names.StateDirectory(StateRoot));
        LabSession session;
        LabPlan plan;
        using (await StateRootLock.AcquireAsync(StateRoot, cancellationToken))
        {
            var used = await ManagementSubnets.InUseAsync(StateRoot, lab => lab, cancellationToken);
            var subnet = ManagementSubnets.Choose(null, used, out var problem) ?? throw new InvalidOperationException(problem);
            plan = LabPlan.Create(names, ["cwn1"], subnet, Pods);
            Directory.CreateDirectory(store.Directory);
            session = LabSession.Begin(store, new LabState
            {
                Name = name,
                StateDirectory = store.Directory,
                ManagementSubnet = subnet.ToString(),
                NodeNames = ["cwn1"],
                IronLb = ["/nonexistent/ironlb"],
                Kubeconfig = Path.Combine(store.Directory, "kubeconfig"),
                ApiServer = plan.ApiServer.GetLeftPart(UriPartial.Authority),
                MembershipKeyFile = Path.Combine(store.Directory, "membership.key"),
                Builder = builder,
                Pods = Pods,
            });
            await session.RecordAsync(s => s);
        }

        await new TopologyBuilder(plan, session.RecordAsync).BuildAsync();
        return plan;
    }

    private static readonly System.Collections.Immutable.ImmutableArray<IronLb.Lab.Cluster.PodRecord> Pods = [new("web", "www-0", "www", "cwn1")];

    /// <summary>A record of a process that has ended (a start time no process has): the builder of a crashed `up`.</summary>
    public static ProcessRecord Dead => new("up", null, Environment.ProcessId, 1, "", []);

    /// <summary>What of the lab is still on the machine: its namespaces, its host link, its state directory.</summary>
    public static async Task<List<string>> LeftAsync(string name)
    {
        var names = LabNames.Create(name);
        var left = (await TopologySweeper.ListNamespacesAsync(names)).Select(ns => $"netns {ns}").ToList();
        if (await TopologySweeper.HostLinkExistsAsync(names.HostLink))
        {
            left.Add($"link {names.HostLink}");
        }

        if (Directory.Exists(names.StateDirectory(StateRoot)))
        {
            left.Add($"directory {names.StateDirectory(StateRoot)}");
        }

        return left;
    }
}
