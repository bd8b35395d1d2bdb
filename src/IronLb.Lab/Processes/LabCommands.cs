using System.Collections.Immutable;
using IronLb.Lab.Topology;

namespace IronLb.Lab.Processes;

/// <summary>RBAC in the lab: deploy/rbac's objects, and each component's kubeconfig with a token for its ServiceAccount.</summary>
internal sealed record LabAccess(string Rbac, string ControllerKubeconfig, string SpeakerKubeconfig)
{
    public const string Namespace = "metallb-system";
    public const string ControllerAccount = "ironlb-controller";
    public const string SpeakerAccount = "ironlb-speaker";
}

/// <summary>The command lines of the lab's processes. Metrics and health endpoints are off: every speaker would
/// want the same ports, and nothing in the lab scrapes them.</summary>
internal static class LabCommands
{
    /// <summary>KubeSim on loopback with the relay for the node namespaces; with <see cref="LabAccess"/>, RBAC enforced from
    /// deploy/rbac and the controller's and the speakers' token kubeconfigs written.</summary>
    /// <paramref name="stateFile"/> tells it the lab's pods, whose Services' EndpointSlices name them.
    public static ImmutableArray<string> ApiServer(ImmutableArray<string> self, string loopbackKubeconfig, LabPlan plan, LabAccess? access = null, string? stateFile = null) =>
        [.. self, "apiserver", "--listen", "127.0.0.1:0", "--kubeconfig-out", loopbackKubeconfig, "--relay", $"{plan.HostManagementAddress}:{LabPlan.ApiPort}",
            "--endpoint-nodes", string.Join(',', plan.Nodes.Select(n => n.Name)),
            .. plan.Pods.IsEmpty || stateFile is null ? [] : new[] { "--pods-from", stateFile },
            .. access is null ? [] : new[]
            {
                "--rbac", access.Rbac,
                "--token-kubeconfig", $"{LabAccess.Namespace}/{LabAccess.ControllerAccount}={access.ControllerKubeconfig}",
                "--token-kubeconfig", $"{LabAccess.Namespace}/{LabAccess.SpeakerAccount}={access.SpeakerKubeconfig}",
            }];

    public static ImmutableArray<string> Controller(ImmutableArray<string> ironlb, string kubeconfig) =>
        [.. ironlb, "controller", "--kubeconfig", kubeconfig, "--metrics-address", "", "--health-address", "", "--log-level", "info"];

    /// <summary>Inside the node's namespace, so it answers on that node's eno2/eno3 and talks membership on mgmt0.
    /// <paramref name="extra"/> (`up --speaker-arg`) comes last; a default option it names again is left out, so
    /// `--metrics-address=:7472` turns metrics on (each node's namespace has ports of its own).</summary>
    public static ImmutableArray<string> Speaker(ImmutableArray<string> ironlb, NodePlan node, string kubeconfig, string membershipKeyFile, IReadOnlyList<string>? extra = null)
    {
        extra ??= [];
        (string Option, string Value)[] defaults = [("--metrics-address", ""), ("--health-address", ""), ("--log-level", "info")];
        return
        [
            "ip", "netns", "exec", node.Namespace, .. ironlb, "speaker",
            "--node", node.Name,
            "--kubeconfig", kubeconfig,
            "--membership-address", node.ManagementAddress.ToString(),
            "--membership-key-file", membershipKeyFile,
            .. defaults.Where(d => !extra.Any(e => Names(e, d.Option))).SelectMany(d => new[] { d.Option, d.Value }),
            .. extra,
        ];
    }

    /// <summary>True when the word is the option, alone or with its value after '=' or ':'.</summary>
    private static bool Names(string word, string option) =>
        word == option || (word.StartsWith(option, StringComparison.Ordinal) && word.Length > option.Length && word[option.Length] is '=' or ':');
}
