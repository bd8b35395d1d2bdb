using System.Net.Sockets;
using IronLb.Lab.State;
using static IronLb.Lab.Processes.CommandRunner;

namespace IronLb.Lab.Topology;

/// <summary>
/// Makes a lab host with `ip`: its namespace, the veth into its LAN's bridge, its MAC and addresses. Like the
/// nodes' namespaces it forwards nothing and has only connected routes, so nothing it sends leaves its LAN.
/// </summary>
internal static class HostBuilder
{
    public static async Task BuildAsync(LabPlan plan, HostRecord host)
    {
        var lan = plan.Names.LanNamespace;
        await IpAsync("netns", "add", host.Namespace).ConfigureAwait(false);
        await IpAsync("-n", host.Namespace, "link", "set", "lo", "up").ConfigureAwait(false);
        // As on the nodes: no duplicate address detection (the host holds its addresses at once, as a host that
        // took them long ago would) and no forwarding.
        await Sysctl.WriteAsync(host.Namespace, required: true,
            ("net/ipv6/conf/all/accept_dad", "0"), ("net/ipv6/conf/default/accept_dad", "0"),
            ("net/ipv4/ip_forward", "0"), ("net/ipv6/conf/all/forwarding", "0")).ConfigureAwait(false);
        await IpAsync("-n", lan, "link", "add", host.BridgePort, "type", "veth", "peer", "name", host.Interface, "netns", host.Namespace).ConfigureAwait(false);
        await IpAsync("-n", lan, "link", "set", host.BridgePort, "master", plan.Lan(host.Lan).Bridge, "up").ConfigureAwait(false);
        await IpAsync("-n", host.Namespace, "link", "set", host.Interface, "address", host.Mac).ConfigureAwait(false);
        foreach (var address in host.Addresses)
        {
            string[] nodad = Cidr.Address(address).AddressFamily == AddressFamily.InterNetworkV6 ? ["nodad"] : [];
            await IpAsync(["-n", host.Namespace, "addr", "add", address, "dev", host.Interface, .. nodad]).ConfigureAwait(false);
        }

        await IpAsync("-n", host.Namespace, "link", "set", host.Interface, "up").ConfigureAwait(false);
    }
}
