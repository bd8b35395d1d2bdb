using System.Net;
using System.Net.Sockets;
using IronLb.Lab.Cluster;

namespace IronLb.Lab.Operations;

/// <summary>What `up` prints last: where things are and commands to try, with real names and addresses.</summary>
internal static class NextSteps
{
    public static async Task PrintAsync(LabSession session, IReadOnlyList<LoadBalancerService> services)
    {
        var state = session.State;
        var plan = session.Plan;
        var ironlb = string.Join(' ', state.IronLb.Select(Quote));
        var lines = new List<string>
        {
            "",
            $"Lab {state.Name} is up: {plan.Nodes.Length} nodes ({string.Join(", ", plan.Nodes.Select(n => n.Name))}), API server {state.ApiServer}, files in {state.StateDirectory}",
            "",
            "Try:",
            $"  kubectl --kubeconfig {state.Kubeconfig} get ipaddresspools -n metallb-system",
            $"  kubectl --kubeconfig {state.Kubeconfig} get services -A",
            $"  {ironlb} status --kubeconfig {state.Kubeconfig}",
        };
        foreach (var address in services.SelectMany(s => s.Ingress).Select(IPAddress.Parse).Distinct())
        {
            if (plan.ClientFor(address) is not { } client)
            {
                continue;
            }

            lines.Add(address.AddressFamily == AddressFamily.InterNetwork
                ? $"  ip netns exec {client.Namespace} arping -c 3 -I {client.Interface.Name} {address}"
                : $"  ip netns exec {client.Namespace} ndisc6 {address} {client.Interface.Name}");
            if (lines.Count >= 10)
            {
                break;
            }
        }

        lines.AddRange(
        [
            $"  ironlb-lab status --name {state.Name}",
            $"  ironlb-lab kill-speaker --name {state.Name} --node {plan.Nodes[0].Name}     (then arping again: another node answers)",
            $"  ironlb-lab restart-speaker --name {state.Name} --node {plan.Nodes[0].Name}",
            $"  ironlb-lab down --name {state.Name}",
            "",
            $"Logs: {state.StateDirectory}/*.log",
        ]);
        foreach (var line in lines)
        {
            await Console.Out.WriteLineAsync(line).ConfigureAwait(false);
        }
    }

    private static string Quote(string arg) => arg.Length == 0 ? "\"\"" : arg.Contains(' ', StringComparison.Ordinal) ? $"\"{arg}\"" : arg;
}
