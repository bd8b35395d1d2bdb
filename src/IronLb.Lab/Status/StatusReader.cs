using IronLb.Lab.Operations;
using IronLb.Lab.Processes;
using IronLb.Lab.State;
using IronLb.Lab.Topology;

namespace IronLb.Lab.Status;

/// <summary>The lab as it is now: MACs read from the namespaces, pids only of processes that still run.</summary>
internal static class StatusReader
{
    public static async Task<LabStatus> ReadAsync(LabSession session)
    {
        var nodes = new List<NodeStatus>();
        foreach (var node in session.Plan.Nodes)
        {
            var interfaces = new List<InterfaceStatus>();
            foreach (var device in node.Interfaces)
            {
                interfaces.Add(new InterfaceStatus(device.Name, await TopologySweeper.MacAsync(node.Namespace, device.Name).ConfigureAwait(false), device.Lan));
            }

            var speaker = session.State.Process(Roles.Speaker, node.Name);
            nodes.Add(new NodeStatus(node.Name, node.Namespace, [.. interfaces], speaker is not null && Supervisor.IsAlive(speaker) ? speaker.Pid : null));
        }

        return Build(session, nodes);
    }

    /// <summary>The pure part: state and plan to the report (nodes come with what was read from the machine).</summary>
    public static LabStatus Build(LabSession session, IEnumerable<NodeStatus> nodes) => new(
        session.State.Kubeconfig,
        session.State.ApiServer,
        [.. nodes],
        [
            .. session.Plan.Clients.Select(c => new ClientStatus(c.Lan, c.Namespace, c.Interface.Name)),
            .. session.Plan.RemoteClient is { } remote ? [new ClientStatus(RemoteClientPlan.Lan, remote.Namespace, RemoteClientPlan.Interface)] : Array.Empty<ClientStatus>(),
        ],
        [.. session.State.Processes.Where(p => p.Role == Roles.Controller && Supervisor.IsAlive(p)).Select(p => p.Pid)],
        [.. session.Plan.Pods.Select(p => new PodStatus(p.Pod.Namespace, p.Pod.Name, p.Pod.Service, p.Pod.Node, p.Netns, p.Interface, [p.V4.ToString(), p.V6.ToString()]))])
    {
        Routers = [.. session.State.Routers.Select(r => new RouterStatus(r.Name, r.Netns, r.Software, r.Asn, r.Addresses))],
    };
}
