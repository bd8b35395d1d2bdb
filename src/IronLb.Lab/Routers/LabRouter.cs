using System.Net;
using IronLb.Lab.Operations;
using IronLb.Lab.State;
using IronLb.Lab.Topology;

namespace IronLb.Lab.Routers;

/// <summary>
/// The lab's router (`up --bgp`): FRR in its own namespace on the external LAN, as the campus's upstream router
/// would be, with a passive neighbour per node (both families, on the node's eno2 addresses), so the speakers dial
/// it. AS 64512 for the router and 64513 for every node (eBGP, as MetalLB's examples have it; the same private AS
/// on every node lets the router's multipath-relax spread a Service over all of them). examples/lab-bgp holds the
/// matching BGPPeer and BGPAdvertisement objects. Behind the router, on a link of its own, is the plan's
/// <see cref="RemoteClientPlan"/>: what it reaches on the LANs, it reaches through the router's BGP routes.
/// </summary>
internal static class LabRouter
{
    public const uint Asn = 64512;
    public const uint NodeAsn = 64513;
    public const string Interface = "rtr0";
    public const string BridgePort = "r-rtr0";

    /// <summary>The top of the external LAN's /24 and /64: the lab's pools and nodes stay below.</summary>
    public static readonly IPAddress Address4 = IPAddress.Parse("192.0.2.254");
    public static readonly IPAddress Address6 = IPAddress.Parse("2001:db8:3a::254");

    public static async Task<FrrRouter> StartAsync(LabPlan plan, LabSession session)
    {
        var ns = plan.Names.RouterNamespace;
        string[] addresses = [$"{Address4}/24", $"{Address6}/64"];
        await session.RecordAsync(s => s.WithRouter(new RouterRecord(ns, ns, "frr", Asn, [.. addresses]))).ConfigureAwait(false);
        var topology = new TopologyBuilder(plan, session.RecordAsync);
        await topology.AddOnLanAsync(ns, new InterfacePlan(Interface, LabPlan.External, BridgePort, [.. addresses])).ConfigureAwait(false);
        if (plan.RemoteClient is { } client)
        {
            await topology.AddBehindRouterAsync(client, Address6).ConfigureAwait(false);
        }

        var neighbours = plan.Nodes
            .SelectMany(n => n.Interfaces.Where(i => i.Lan == LabPlan.External).SelectMany(i => i.Addresses))
            .Select(cidr => new BgpNeighbour(Cidr.Address(cidr), RemoteAs.Of(NodeAsn)) { Passive = true });
        var router = await FrrRouter.StartAsync(new RouterSpec(ns, ns, Path.Combine(session.Store.Directory, "router"), Address4, Asn)
        {
            Neighbours = [.. neighbours],
        }).ConfigureAwait(false);
        foreach (var daemon in router.Processes)
        {
            await session.RecordAsync(s => s.WithProcess(daemon)).ConfigureAwait(false);
        }

        return router;
    }

    /// <summary>For `down`: FRR's socket directory of each router, once its daemons are stopped.</summary>
    public static void RemoveSockets(LabState state)
    {
        foreach (var router in state.Routers.Where(r => r.Software == "frr"))
        {
            if (Directory.Exists(FrrRouter.SocketDirectory(router.Name)))
            {
                Directory.Delete(FrrRouter.SocketDirectory(router.Name), recursive: true);
            }
        }
    }
}
