using System.Net;

namespace IronLb.Lab.Topology;

/// <summary>
/// The client behind the router of `up --bgp`: a namespace of its own whose only link is a veth to the router
/// namespace (<see cref="Interface"/> here, <see cref="RouterInterface"/> there), with its default route via the
/// router, so what it reaches on the lab's LANs it reaches through the router's BGP routes (ECMP across nodes).
/// <para>
/// IPv6 only, on a /64 of its own (<see cref="Network"/>). IPv4 has no free slice: the external and office LANs
/// are whole /24s every host there treats as on-link (a smaller network carved out of them would be one that
/// `host add` and the LAN's client still take for their own LAN), and 203.0.113.0/24 is the management slices
/// (this lab's and other labs' on the host) and the pods' half, which each node's forward filter treats as pod
/// traffic as a whole /25. RFC 5737 gives no fourth prefix.
/// </para>
/// Pure: the builder is <see cref="TopologyBuilder.AddBehindRouterAsync"/>.
/// </summary>
internal sealed record RemoteClientPlan(string Namespace, string RouterNamespace)
{
    /// <summary>What `status` shows in the client's LAN column and `exec` takes as its place: a network of its own.</summary>
    public const string Lan = "remote";

    /// <summary>The client's end of the veth, named like the LAN clients' ext0 and ofc0.</summary>
    public const string Interface = "rmt0";

    /// <summary>The router's end (its interface on the external LAN is rtr0).</summary>
    public const string RouterInterface = "rtr1";

    /// <summary>Outside every other lab network: the external LAN is 2001:db8:3a::/64, office 2001:db8:403::/64,
    /// management 2001:db8:ffff::/64, pods 2001:db8:1ab::/48, stand-in endpoints 2001:db8:ff::/48.</summary>
    public static readonly IPNetwork Network = IPNetwork.Parse("2001:db8:3b::/64");

    /// <summary>.1 like the LAN clients; the router at the top, as on the external LAN.</summary>
    public static readonly IPAddress Address = IPAddress.Parse("2001:db8:3b::1");

    public static readonly IPAddress RouterAddress = IPAddress.Parse("2001:db8:3b::254");

    public static string AddressCidr => PodNetwork.Cidr(Address, Network);

    public static string RouterAddressCidr => PodNetwork.Cidr(RouterAddress, Network);

    public static RemoteClientPlan For(LabNames names) => new(names.ClientNamespace(Lan), names.RouterNamespace);
}
