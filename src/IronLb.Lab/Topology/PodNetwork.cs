using System.Net;
using System.Net.Sockets;

namespace IronLb.Lab.Topology;

/// <summary>A node's pod ranges (its podCIDRs) and the gateway addresses its pod bridge holds.</summary>
internal sealed record PodRange(IPNetwork V4, IPNetwork V6)
{
    /// <summary>The first address of each range, on the node's pod bridge: every pod's default route.</summary>
    public IPAddress GatewayV4 => PodNetwork.Offset(V4.BaseAddress, 1);

    public IPAddress GatewayV6 => PodNetwork.Offset(V6.BaseAddress, 1);

    /// <summary>The address of the node's <paramref name="slot"/>-th pod (0-based): the gateway's next ones.</summary>
    public (IPAddress V4, IPAddress V6) Pod(int slot) => (PodNetwork.Offset(V4.BaseAddress, 2 + slot), PodNetwork.Offset(V6.BaseAddress, 2 + slot));
}

/// <summary>
/// The lab's plain routed "CNI", as numbers: a /29 and a /64 of pod addresses per node, routed between the nodes
/// over the management LAN (no overlay, no NAT), and IPv6 on the management LAN so nodes have an IPv6 InternalIP.
/// IPv4 pod ranges come from the half of 203.0.113.0/24 that does not hold the lab's management slice: the host
/// routes only that slice, and no pod packet ever reaches the host, so two labs may use the same pod addresses.
/// Pure: no I/O.
/// </summary>
internal static class PodNetwork
{
    /// <summary>A /29 per node: network, gateway, five pods, broadcast.</summary>
    public const int V4PrefixLength = 29;

    public const int PodsPerNode = 5;

    /// <summary>Every node's pod /64 is in here (node K: 2001:db8:1ab:K::/64; "1ab" reads "lab").</summary>
    public static readonly IPNetwork V6Pods = IPNetwork.Parse("2001:db8:1ab::/48");

    /// <summary>The management LAN's IPv6 subnet: node K is ::1K, as on the other LANs. The host end has no IPv6.</summary>
    public static readonly IPNetwork ManagementV6 = IPNetwork.Parse("2001:db8:ffff::/64");

    /// <summary>Where every node's IPv4 pod /29 lies: the /25 of 203.0.113.0/24 that the management slice is not in;
    /// null when the slice covers both halves (a /24).</summary>
    public static IPNetwork? V4Pods(IPNetwork managementSubnet)
    {
        if (managementSubnet.PrefixLength < 25)
        {
            return null;
        }

        var other = (managementSubnet.BaseAddress.GetAddressBytes()[3] & 0x80) ^ 0x80;
        return new IPNetwork(new IPAddress([203, 0, 113, (byte)other]), 25);
    }

    /// <summary>Null when the management slice leaves room for pods, else why not.</summary>
    public static string? CheckRoom(IPNetwork managementSubnet) => V4Pods(managementSubnet) is null
        ? $"--mgmt-subnet {managementSubnet} leaves no room for the pods' addresses, which take the half of 203.0.113.0/24 the management LAN is not in: use a /25 to /27"
        : null;

    /// <summary>Node <paramref name="index"/>'s (1–9) pod ranges.</summary>
    public static PodRange RangeOf(IPNetwork managementSubnet, int index)
    {
        var half = V4Pods(managementSubnet) ?? throw new ArgumentException(CheckRoom(managementSubnet), nameof(managementSubnet));
        var v4 = new IPNetwork(Offset(half.BaseAddress, (index - 1) * 8), V4PrefixLength);
        var v6 = new IPNetwork(IPAddress.Parse($"2001:db8:1ab:{index:x}::"), 64);
        return new PodRange(v4, v6);
    }

    /// <summary>Node <paramref name="index"/>'s IPv6 address on the management LAN: ::1K, written like the other LANs' .1K.</summary>
    public static IPAddress ManagementV6Address(int index) => IPAddress.Parse($"2001:db8:ffff::{10 + index}");

    /// <summary><paramref name="address"/> plus <paramref name="offset"/> in its last bytes (either family).</summary>
    public static IPAddress Offset(IPAddress address, int offset)
    {
        var bytes = address.GetAddressBytes();
        var carry = offset;
        for (var i = bytes.Length - 1; i >= 0 && carry != 0; i--)
        {
            var sum = bytes[i] + carry;
            bytes[i] = (byte)sum;
            carry = sum >> 8;
        }

        return new IPAddress(bytes);
    }

    public static string Cidr(IPAddress address, IPNetwork network) => $"{address}/{network.PrefixLength}";

    public static bool IsV6(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6;
}
