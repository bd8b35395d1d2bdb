using System.Buffers.Binary;
using System.Net;
using System.Text;
using IronLb.Bgp.Session;
using IronLb.Core.Addressing;
using IronLb.Core.Configuration;
using PeerDynamicAsn = IronLb.Core.Configuration.DynamicAsn;
using SessionDynamicAsn = IronLb.Bgp.Session.DynamicAsn;

namespace IronLb.Speaker.Bgp;

/// <summary>
/// A validated BGPPeer as the terms of one session from this node (metallb-bgp.md §1 and §4). Pure: the same peer,
/// node and address give the same terms, so a session restarts only when its terms change.
/// </summary>
internal static class BgpSessionSettings
{
    /// <summary>
    /// How long one dial may take when the BGPPeer gives no connectTime: MetalLB's native speaker gives each attempt
    /// 10 s. RFC 4271's 120 s would leave a peer that drops SYNs unretried for two minutes.
    /// </summary>
    public static readonly TimeSpan DefaultConnectTime = TimeSpan.FromSeconds(10);

    /// <param name="peer">The BGPPeer.</param>
    /// <param name="node">This node's name (the router ID of last resort).</param>
    /// <param name="nodeIpv4">This node's IPv4 address, when it has one.</param>
    public static BgpSessionConfig For(BgpPeer peer, string node, IPAddress? nodeIpv4)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(node);
        return new BgpSessionConfig(peer.MyAsn, peer.PeerAsn ?? 0, RouterId(peer, node, nodeIpv4))
        {
            Dynamic = peer.DynamicAsn switch
            {
                PeerDynamicAsn.Internal => SessionDynamicAsn.Internal,
                PeerDynamicAsn.External => SessionDynamicAsn.External,
                _ => SessionDynamicAsn.None,
            },
            HoldTime = peer.HoldTime ?? BgpSessionConfig.DefaultHoldTime,
            KeepaliveTime = peer.KeepaliveTime,
            ConnectRetryTime = peer.ConnectTime ?? DefaultConnectTime,
            // Offer only what the session carries: its own family, or both with dualStackAddressFamily.
            Families = peer.DualStackAddressFamily
                ? [BgpFamily.Ipv4Unicast, BgpFamily.Ipv6Unicast]
                : [peer.Address.Family == IpFamily.IPv4 ? BgpFamily.Ipv4Unicast : BgpFamily.Ipv6Unicast],
            GracefulRestart = peer.EnableGracefulRestart,
        };
    }

    /// <summary>
    /// The BGP Identifier: the peer's routerID, else the IPv4 source address, else the node's IPv4 address, else a hash
    /// of the node name (MetalLB's order, except that it reads the connection's local address, which is not known
    /// before the OPEN is built; the node's address is that address on every single-homed node).
    /// </summary>
    public static uint RouterId(BgpPeer peer, string node, IPAddress? nodeIpv4)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (peer.RouterId is { Family: IpFamily.IPv4 } configured && configured.Value != 0)
        {
            return (uint)configured.Value;
        }

        if (peer.SourceAddress is { Family: IpFamily.IPv4 } source && source.Value != 0)
        {
            return (uint)source.Value;
        }

        if (nodeIpv4 is { AddressFamily: System.Net.Sockets.AddressFamily.InterNetwork } ip && !ip.Equals(IPAddress.Any))
        {
            return BinaryPrimitives.ReadUInt32BigEndian(ip.GetAddressBytes());
        }

        // A router ID must not be zero, and must be stable across restarts and differ between nodes: FNV-1a of the
        // name (MetalLB uses CRC-32; any stable hash will do, and this one needs no package).
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(node))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return hash == 0 ? 1 : hash;
    }
}
