using System.Net;
using System.Net.Sockets;
using IronLb.Core.Announcement;
using IronLb.Lab.Cluster;
using IronLb.Lab.Topology;

namespace IronLb.Lab.Operations;

/// <summary>What `up` prints last: where things are and commands to try, with real names and addresses.</summary>
internal static class NextSteps
{
    public static async Task PrintAsync(LabSession session, IReadOnlyList<LoadBalancerService> services)
    {
        var state = session.State;
        var plan = session.Plan;
        var lines = new List<string>
        {
            "",
            $"Lab {state.Name} is up: {plan.Nodes.Length} nodes ({string.Join(", ", plan.Nodes.Select(n => n.Name))}), API server {state.ApiServer}, files in {state.StateDirectory}",
            "",
            $"Try (each runs as printed{(PrintedCommand.RootPrefix.Length > 0 ? "; sudo marks those that need root" : "")}):",
            $"  {PrintedCommand.Plain("kubectl", "--kubeconfig", state.Kubeconfig, "get", "ipaddresspools", "-n", "metallb-system")}",
            $"  {PrintedCommand.Plain("kubectl", "--kubeconfig", state.Kubeconfig, "get", "services", "-A")}",
            $"  {PrintedCommand.Plain([.. state.IronLb, "status", "--kubeconfig", state.Kubeconfig])}",
        };
        // Each service's addresses from its LAN's client, external first; the node that should answer is the
        // election's winner among all nodes (what `ironlb status` shows once the speakers have settled).
        var probes = services
            .Where(svc => svc.Ingress.Count > 0)
            .SelectMany(svc => svc.Ingress.Select(ip => (Service: svc, Address: IPAddress.Parse(ip), Client: plan.ClientFor(IPAddress.Parse(ip)))))
            .Where(p => p.Client is not null)
            .DistinctBy(p => p.Address)
            .GroupBy(p => p.Client!.Lan)
            .OrderBy(g => g.Key == LabPlan.External ? 0 : 1)
            .SelectMany(g => g.Take(2))
            .ToList();
        foreach (var (service, address, client) in probes)
        {
            var winner = Winner(plan, service.Ingress[0]);
            var command = address.AddressFamily == AddressFamily.InterNetwork
                ? PrintedCommand.AsRoot("ip", "netns", "exec", client!.Namespace, "arping", "-c", "3", "-I", client.Interface.Name, address.ToString())
                : PrintedCommand.AsRoot("ip", "netns", "exec", client!.Namespace, "ndisc6", address.ToString(), client.Interface.Name);
            lines.Add($"  {command,-72} # {service}: {winner} answers");
        }

        if (plan.RemoteClient is { } remote)
        {
            lines.AddRange(RouterSteps(state, plan, remote, services));
        }

        var demo = probes.FirstOrDefault();
        var victim = demo.Service is null ? plan.Nodes[0].Name : Winner(plan, demo.Service.Ingress[0]);
        // A pod reaching a pod on another node: the routed pod network at work (`status` lists every pod).
        if (plan.Pods.FirstOrDefault() is { } pod && plan.Pods.FirstOrDefault(p => p.Pod.Node != pod.Pod.Node) is { } other)
        {
            lines.Add($"  {PrintedCommand.Lab("exec", "--name", state.Name, $"{pod.Pod.Namespace}/{pod.Pod.Name}", "--", "ping", "-c", "1", other.V4.ToString()),-72} # a pod on {pod.Pod.Node} reaches {other.Pod.Name} on {other.Pod.Node}");
        }

        lines.AddRange(
        [
            $"  {PrintedCommand.Lab("status", "--name", state.Name)}",
            $"  {PrintedCommand.Lab("kill-speaker", "--name", state.Name, "--node", victim)}{(demo.Service is null || plan.Nodes.Length < 2 ? "" : $"    # then ask {demo.Address} again: another node answers")}",
            $"  {PrintedCommand.Lab("restart-speaker", "--name", state.Name, "--node", victim)}",
            $"  {PrintedCommand.Lab("down", "--name", state.Name)}",
            "",
            $"Logs: {state.StateDirectory}/*.log",
        ]);
        foreach (var line in lines)
        {
            await Console.Out.WriteLineAsync(line).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// `up --bgp`: the router's sessions and routes, the ServiceBGPStatus objects, and the client behind the router
    /// reaching a node through it and (with the router's choice among the nodes shown) a Service address. The lab
    /// runs no kube-proxy, so nothing answers on a Service address itself: `route get` shows where its packets go.
    /// </summary>
    private static IEnumerable<string> RouterSteps(State.LabState state, LabPlan plan, RemoteClientPlan remote, IReadOnlyList<LoadBalancerService> services)
    {
        var router = remote.RouterNamespace;
        var first = plan.Nodes[0];
        var firstV6 = first.Interfaces.Single(i => i.Lan == LabPlan.External).Addresses.Select(Cidr.Address).First(PodNetwork.IsV6);
        yield return $"  {PrintedCommand.AsRoot([.. Routers.FrrRouter.VtyshCommand(router, "show bgp summary")]),-72} # every node's session, both families";
        yield return $"  {PrintedCommand.Plain("kubectl", "--kubeconfig", state.Kubeconfig, "get", "servicebgpstatuses", "-A"),-72} # which node announces which Service to which peer";
        yield return $"  {PrintedCommand.AsRoot("ip", "-n", router, "-6", "route", "show", "proto", "bgp"),-72} # each Service address via every announcing node (ECMP)";
        yield return $"  {PrintedCommand.AsRoot("ip", "netns", "exec", remote.Namespace, "ping", "-c", "1", firstV6.ToString()),-72} # the client behind the router reaches {first.Name} through it";
        var address = services.SelectMany(s => s.Ingress).Select(IPAddress.Parse)
            .FirstOrDefault(a => PodNetwork.IsV6(a) && plan.ClientFor(a)?.Lan == LabPlan.External);
        if (address is not null)
        {
            yield return $"  {PrintedCommand.AsRoot("ip", "-n", router, "route", "get", address.ToString(), "from", RemoteClientPlan.Address.ToString(), "iif", RemoteClientPlan.RouterInterface),-72} # the node the router sends the client's packets for {address} to";
        }
    }

    /// <summary>MetalLB's election with every speaker alive: the lowest sha256("node#first ingress IP").</summary>
    private static string Winner(LabPlan plan, string firstIngress) =>
        plan.Nodes.Select(n => n.Name).OrderBy(n => Convert.ToHexString(L2Election.Hash(n, firstIngress)), StringComparer.Ordinal).First();
}
