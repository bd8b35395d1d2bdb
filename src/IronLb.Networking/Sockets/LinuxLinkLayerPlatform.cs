using IronLb.Networking.Packets;

namespace IronLb.Networking.Sockets;

/// <summary>The real platform: AF_PACKET sockets and IPv6 multicast joins.</summary>
internal sealed class LinuxLinkLayerPlatform : ILinkLayerPlatform
{
    public ILinkLayerTransport OpenArp(int interfaceIndex) => PacketSocket.Open(interfaceIndex, EthernetHeader.EtherTypeArp);

    public ILinkLayerTransport OpenNdp(int interfaceIndex) =>
        PacketSocket.Open(interfaceIndex, EthernetHeader.EtherTypeIpv6, BpfInstruction.NeighborSolicitationFilter);

    public IMulticastGroups OpenGroups(int interfaceIndex) => new Ipv6MulticastGroups(interfaceIndex);

    public IDisposable? WatchInterfaces(Action onChange) => NetlinkLinkMonitor.Start(onChange);
}
