using System.Collections.Immutable;
using IronLb.Lab.Topology;

namespace IronLb.Lab.Processes;

/// <summary>The command lines of the lab's processes. Metrics and health endpoints are off: every speaker would
/// want the same ports, and nothing in the lab scrapes them.</summary>
internal static class LabCommands
{
    public static ImmutableArray<string> ApiServer(ImmutableArray<string> self, string loopbackKubeconfig, LabPlan plan) =>
        [.. self, "apiserver", "--listen", "127.0.0.1:0", "--kubeconfig-out", loopbackKubeconfig, "--relay", $"{plan.HostManagementAddress}:{LabPlan.ApiPort}",
            "--endpoint-nodes", string.Join(',', plan.Nodes.Select(n => n.Name))];

    public static ImmutableArray<string> Controller(ImmutableArray<string> ironlb, string kubeconfig) =>
        [.. ironlb, "controller", "--kubeconfig", kubeconfig, "--metrics-address", "", "--health-address", "", "--log-level", "info"];

    /// <summary>Inside the node's namespace, so it answers on that node's eno2/eno3 and talks membership on mgmt0.</summary>
    public static ImmutableArray<string> Speaker(ImmutableArray<string> ironlb, NodePlan node, string kubeconfig, string membershipKeyFile) =>
    [
        "ip", "netns", "exec", node.Namespace, .. ironlb, "speaker",
        "--node", node.Name,
        "--kubeconfig", kubeconfig,
        "--membership-address", node.ManagementAddress.ToString(),
        "--membership-key-file", membershipKeyFile,
        "--metrics-address", "",
        "--health-address", "",
        "--log-level", "info",
    ];
}
