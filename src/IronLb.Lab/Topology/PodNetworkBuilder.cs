using IronLb.Lab.State;
using static IronLb.Lab.Processes.CommandRunner;

namespace IronLb.Lab.Topology;

/// <summary>
/// The plain routed "CNI" on top of the LANs: in every node a pod bridge holding the node's pod gateways, routes to
/// the other nodes' pod ranges via their management addresses, forwarding on, and the lab's own nftables table
/// (<see cref="Table"/>) that lets the node forward pod traffic only, and never towards the host; then each pod,
/// a namespace with a veth on its node's bridge. Records each thing before making it, like <see cref="TopologyBuilder"/>.
/// </summary>
internal sealed class PodNetworkBuilder(LabPlan plan, Func<Func<LabState, LabState>, Task> record)
{
    /// <summary>The lab's table in each node namespace; the speaker's is <c>inet ironlb</c>, which the lab never touches.</summary>
    public const string Table = "ironlab";

    /// <summary>Named counters of <see cref="Table"/>: forwarded packets dropped because they were for the host, or not pod traffic.</summary>
    public const string ToHostCounter = "tohost";

    public const string NotPodCounter = "notpod";

    public async Task BuildAsync()
    {
        foreach (var node in plan.Nodes)
        {
            await BuildNodeAsync(node).ConfigureAwait(false);
        }

        foreach (var pod in plan.Pods)
        {
            await BuildPodAsync(pod).ConfigureAwait(false);
        }
    }

    private async Task BuildNodeAsync(NodePlan node)
    {
        var ns = node.Namespace;
        // A node routes its pods' packets. Reverse-path filtering is loose: with egress, replies for a pod on this
        // node can come in on mgmt0 (from the node that translated them) while the route back to their source
        // (a client on a LAN) leaves through eno2, and strict filtering would drop them. rp_filter's effective value
        // is the larger of "all" and the interface's, so "all" = 2 makes every interface loose.
        await Sysctl.WriteAsync(ns, required: true,
            ("net/ipv4/ip_forward", "1"), ("net/ipv6/conf/all/forwarding", "1"),
            ("net/ipv4/conf/all/rp_filter", "2"), ("net/ipv4/conf/default/rp_filter", "2")).ConfigureAwait(false);
        // Bridged pod traffic is not the host firewall's business (br_netfilter, where loaded).
        await Sysctl.WriteAsync(ns, required: false,
            ("net/bridge/bridge-nf-call-iptables", "0"), ("net/bridge/bridge-nf-call-ip6tables", "0"), ("net/bridge/bridge-nf-call-arptables", "0")).ConfigureAwait(false);

        // The table first: from the moment the node forwards anything, it forwards only what the table lets through.
        await LoadTableAsync(node).ConfigureAwait(false);

        var range = node.PodRange;
        await record(s => s.WithBridge(new CreatedLink(ns, NodePlan.PodBridge))).ConfigureAwait(false);
        await IpAsync("-n", ns, "link", "add", NodePlan.PodBridge, "type", "bridge", "mcast_snooping", "0").ConfigureAwait(false);
        await IpAsync("-n", ns, "addr", "add", PodNetwork.Cidr(range.GatewayV4, range.V4), "dev", NodePlan.PodBridge).ConfigureAwait(false);
        await IpAsync("-n", ns, "addr", "add", PodNetwork.Cidr(range.GatewayV6, range.V6), "dev", NodePlan.PodBridge, "nodad").ConfigureAwait(false);
        await IpAsync("-n", ns, "link", "set", NodePlan.PodBridge, "up").ConfigureAwait(false);

        foreach (var other in plan.Nodes.Where(n => n.Index != node.Index))
        {
            await IpAsync("-n", ns, "route", "add", other.PodRange.V4.ToString(), "via", other.ManagementAddress.ToString(), "dev", "mgmt0").ConfigureAwait(false);
            await IpAsync("-n", ns, "-6", "route", "add", other.PodRange.V6.ToString(), "via", other.ManagementAddressV6.ToString(), "dev", "mgmt0").ConfigureAwait(false);
        }
    }

    private async Task BuildPodAsync(PodPlan pod)
    {
        await record(s => s.WithNamespace(pod.Netns)).ConfigureAwait(false);
        await IpAsync("netns", "add", pod.Netns).ConfigureAwait(false);
        await IpAsync("-n", pod.Netns, "link", "set", "lo", "up").ConfigureAwait(false);
        // As on the nodes: addresses usable at once; and a pod routes nothing.
        await Sysctl.WriteAsync(pod.Netns, required: true,
            ("net/ipv6/conf/all/accept_dad", "0"), ("net/ipv6/conf/default/accept_dad", "0"),
            ("net/ipv4/ip_forward", "0"), ("net/ipv6/conf/all/forwarding", "0")).ConfigureAwait(false);

        await record(s => s.WithLink(new CreatedLink(pod.NodeNamespace, pod.NodeInterface))).ConfigureAwait(false);
        await IpAsync("-n", pod.NodeNamespace, "link", "add", pod.NodeInterface, "type", "veth", "peer", "name", pod.Interface, "netns", pod.Netns).ConfigureAwait(false);
        await IpAsync("-n", pod.NodeNamespace, "link", "set", pod.NodeInterface, "master", NodePlan.PodBridge, "up").ConfigureAwait(false);
        await IpAsync("-n", pod.Netns, "addr", "add", pod.Addresses[0], "dev", pod.Interface).ConfigureAwait(false);
        await IpAsync("-n", pod.Netns, "addr", "add", pod.Addresses[1], "dev", pod.Interface, "nodad").ConfigureAwait(false);
        await IpAsync("-n", pod.Netns, "link", "set", pod.Interface, "up").ConfigureAwait(false);
        // The pod's only way anywhere is its node, which has no default route itself: nothing leaves the lab.
        await IpAsync("-n", pod.Netns, "route", "add", "default", "via", pod.Range.GatewayV4.ToString(), "dev", pod.Interface).ConfigureAwait(false);
        await IpAsync("-n", pod.Netns, "-6", "route", "add", "default", "via", pod.Range.GatewayV6.ToString(), "dev", pod.Interface).ConfigureAwait(false);
    }

    private async Task LoadTableAsync(NodePlan node)
    {
        var result = await RunWithInputAsync(TableScript(plan), "ip", "netns", "exec", node.Namespace, "nft", "-f", "-").ConfigureAwait(false);
        if (!result.Ok)
        {
            throw new Processes.LabCommandException($"nft in {node.Namespace} (is nftables installed?): {result}");
        }
    }

    /// <summary>
    /// The node's forward filter, the same on every node: packets for the host's management address are dropped
    /// (a pod reaching the host would have the host route its replies out of the lab), then only packets from or to
    /// a pod range pass; everything else stays unforwarded, as before nodes forwarded at all (the LANs stay apart).
    /// Egress translation happens after this hook and is undone before it, so the speaker's egress passes as pod traffic.
    /// </summary>
    public static string TableScript(LabPlan plan)
    {
        var v4 = PodNetwork.V4Pods(plan.ManagementSubnet)!;
        var v6 = PodNetwork.V6Pods;
        return $$"""
            table inet {{Table}} {
                counter {{ToHostCounter}} {
                }
                counter {{NotPodCounter}} {
                }
                chain forward {
                    type filter hook forward priority filter; policy accept;
                    ip daddr {{plan.HostManagementAddress}} counter name "{{ToHostCounter}}" drop
                    ip saddr {{v4}} accept
                    ip daddr {{v4}} accept
                    ip6 saddr {{v6}} accept
                    ip6 daddr {{v6}} accept
                    counter name "{{NotPodCounter}}" drop
                }
            }

            """;
    }
}

/// <summary>Writes /proc/sys inside a namespace with the shell (so the lab needs no procps), several keys in one go.</summary>
internal static class Sysctl
{
    public static async Task WriteAsync(string ns, bool required, params (string Key, string Value)[] settings)
    {
        // Keys that do not exist here (a module not loaded) are skipped; a write that fails is an error.
        string[] args = ["netns", "exec", ns, "sh", "-c", "while [ $# -gt 0 ]; do [ ! -e \"$1\" ] || echo \"$2\" > \"$1\" || exit 1; shift 2; done", "sh",
            .. settings.SelectMany(s => new[] { $"/proc/sys/{s.Key}", s.Value })];
        var result = await RunAsync("ip", args).ConfigureAwait(false);
        if (required && !result.Ok)
        {
            throw new Processes.LabCommandException($"cannot set {string.Join(", ", settings.Select(s => s.Key))} in {ns}: {result}");
        }
    }
}
