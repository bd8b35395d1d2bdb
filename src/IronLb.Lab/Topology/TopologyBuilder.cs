using IronLb.Lab.State;
using static IronLb.Lab.Processes.CommandRunner;

namespace IronLb.Lab.Topology;

/// <summary>
/// Makes the plan's namespaces, bridges and veth pairs with `ip`. Each thing is recorded in the state before it
/// is made, so whatever a crash leaves is on record for `down` (which also sweeps by name, for the window
/// between recording and making).
/// </summary>
internal sealed class TopologyBuilder(LabPlan plan, Func<Func<LabState, LabState>, Task> record)
{
    private string Lan => plan.Names.LanNamespace;

    public async Task BuildAsync()
    {
        // Pods' namespaces come with the pod network, once their nodes are plugged in.
        foreach (var ns in plan.Namespaces().Except(plan.Pods.Select(p => p.Netns)))
        {
            await CreateNamespaceAsync(ns).ConfigureAwait(false);
        }

        // br_netfilter, where loaded, would hand bridged ARP and IPv6 to the host's firewall rules; a real switch
        // does not, so the lab's bridges should not either.
        foreach (var table in new[] { "iptables", "ip6tables", "arptables" })
        {
            await WriteSysctlAsync(Lan, $"net/bridge/bridge-nf-call-{table}", "0", required: false).ConfigureAwait(false);
        }

        foreach (var lan in plan.Lans)
        {
            await record(s => s.WithBridge(new CreatedLink(Lan, lan.Bridge))).ConfigureAwait(false);
            // Snooping off: nothing sends MLD queries here, and NDP must reach the solicited-node groups.
            await IpAsync("-n", Lan, "link", "add", lan.Bridge, "type", "bridge", "mcast_snooping", "0").ConfigureAwait(false);
            await IpAsync("-n", Lan, "link", "set", lan.Bridge, "up").ConfigureAwait(false);
        }

        await ConnectHostAsync().ConfigureAwait(false);
        foreach (var client in plan.Clients)
        {
            await PlugAsync(client.Namespace, client.Interface).ConfigureAwait(false);
        }

        foreach (var node in plan.Nodes)
        {
            foreach (var device in node.Interfaces)
            {
                await PlugAsync(node.Namespace, device).ConfigureAwait(false);
            }
        }

        await new PodNetworkBuilder(plan, record).BuildAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// One more namespace on a LAN, made after the rest (the router of `up --bgp`): recorded, then made and plugged
    /// into the LAN's bridge as a client is.
    /// </summary>
    public async Task AddOnLanAsync(string ns, InterfacePlan device)
    {
        await CreateNamespaceAsync(ns).ConfigureAwait(false);
        await PlugAsync(ns, device).ConfigureAwait(false);
    }

    /// <summary>
    /// `up --bgp`'s client behind the router, once the router's namespace is on the external LAN: a namespace whose only
    /// link is a veth to the router's, with its default route via the router; IPv6 forwarding on in the router (the
    /// client has no IPv4, so IPv4 stays unrouted there); and in every node a route back to the client's network via
    /// <paramref name="routerOnLan"/>, the router's address on the external LAN. Nothing of it leaves the lab's namespaces.
    /// </summary>
    public async Task AddBehindRouterAsync(RemoteClientPlan client, System.Net.IPAddress routerOnLan)
    {
        var router = client.RouterNamespace;
        await CreateNamespaceAsync(client.Namespace).ConfigureAwait(false);
        await record(s => s.WithLink(new CreatedLink(router, RemoteClientPlan.RouterInterface))).ConfigureAwait(false);
        await IpAsync("-n", router, "link", "add", RemoteClientPlan.RouterInterface, "type", "veth", "peer", "name", RemoteClientPlan.Interface, "netns", client.Namespace).ConfigureAwait(false);
        await IpAsync("-n", router, "addr", "add", RemoteClientPlan.RouterAddressCidr, "dev", RemoteClientPlan.RouterInterface, "nodad").ConfigureAwait(false);
        await IpAsync("-n", client.Namespace, "addr", "add", RemoteClientPlan.AddressCidr, "dev", RemoteClientPlan.Interface, "nodad").ConfigureAwait(false);
        await IpAsync("-n", router, "link", "set", RemoteClientPlan.RouterInterface, "up").ConfigureAwait(false);
        await IpAsync("-n", client.Namespace, "link", "set", RemoteClientPlan.Interface, "up").ConfigureAwait(false);
        await IpAsync("-n", client.Namespace, "-6", "route", "add", "default", "via", RemoteClientPlan.RouterAddress.ToString(), "dev", RemoteClientPlan.Interface).ConfigureAwait(false);
        await Sysctl.WriteAsync(router, required: true, ("net/ipv6/conf/all/forwarding", "1")).ConfigureAwait(false);
        foreach (var node in plan.Nodes)
        {
            var external = node.Interfaces.Single(i => i.Lan == LabPlan.External).Name;
            await IpAsync("-n", node.Namespace, "-6", "route", "add", RemoteClientPlan.Network.ToString(), "via", routerOnLan.ToString(), "dev", external).ConfigureAwait(false);
        }
    }

    private async Task CreateNamespaceAsync(string ns)
    {
        await record(s => s.WithNamespace(ns)).ConfigureAwait(false);
        await IpAsync("netns", "add", ns).ConfigureAwait(false);
        await IpAsync("-n", ns, "link", "set", "lo", "up").ConfigureAwait(false);
        // No duplicate address detection: addresses are usable at once, so a speaker can answer NDP for
        // them (and the client can ask) the moment `up` returns.
        // No forwarding, whatever a new namespace inherits from the host (devconf_inherit_init_net): the
        // lab's LANs stay separate, and nothing is routed between them or towards the host. Nodes forward
        // their pods' traffic only, under the pod network's nftables table (PodNetworkBuilder).
        await Sysctl.WriteAsync(ns, required: true,
            ("net/ipv6/conf/all/accept_dad", "0"), ("net/ipv6/conf/default/accept_dad", "0"),
            ("net/ipv4/ip_forward", "0"), ("net/ipv6/conf/all/forwarding", "0")).ConfigureAwait(false);
    }

    /// <summary>The one link on the host: a veth whose host end holds the management LAN's .1 (the API server's
    /// address). Only the connected route of the lab's own slice of 203.0.113.0/24 appears on the host.</summary>
    private async Task ConnectHostAsync()
    {
        var host = plan.Names.HostLink;
        await record(s => s.WithLink(new CreatedLink(null, host))).ConfigureAwait(false);
        await IpAsync("link", "add", host, "type", "veth", "peer", "name", LabNames.HostPeer, "netns", Lan).ConfigureAwait(false);
        // No IPv6 on the host end: the host would otherwise solicit routers and join groups on the lab's LAN.
        await CheckAsync("sh", "-c", "echo 1 > \"/proc/sys/net/ipv6/conf/$1/disable_ipv6\"", "sh", host).ConfigureAwait(false);
        await IpAsync("addr", "add", $"{plan.HostManagementAddress}/{plan.ManagementSubnet.PrefixLength}", "dev", host).ConfigureAwait(false);
        await IpAsync("link", "set", host, "up").ConfigureAwait(false);
        await IpAsync("-n", Lan, "link", "set", LabNames.HostPeer, "master", plan.Lan(LabPlan.Management).Bridge, "up").ConfigureAwait(false);
    }

    /// <summary>A veth from the LAN's bridge to <paramref name="device"/> inside <paramref name="ns"/>, with its addresses.</summary>
    private async Task PlugAsync(string ns, InterfacePlan device)
    {
        await record(s => s.WithLink(new CreatedLink(Lan, device.BridgePort))).ConfigureAwait(false);
        await IpAsync("-n", Lan, "link", "add", device.BridgePort, "type", "veth", "peer", "name", device.Name, "netns", ns).ConfigureAwait(false);
        await IpAsync("-n", Lan, "link", "set", device.BridgePort, "master", plan.Lan(device.Lan).Bridge, "up").ConfigureAwait(false);
        foreach (var address in device.Addresses)
        {
            string[] nodad = Cidr.Address(address).AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? ["nodad"] : [];
            await IpAsync(["-n", ns, "addr", "add", address, "dev", device.Name, .. nodad]).ConfigureAwait(false);
        }

        await IpAsync("-n", ns, "link", "set", device.Name, "up").ConfigureAwait(false);
    }

    private static Task WriteSysctlAsync(string ns, string key, string value, bool required) => Sysctl.WriteAsync(ns, required, (key, value));
}
