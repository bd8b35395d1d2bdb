using IronLb.Networking.Packets;
using IronLb.Networking.Responders;

namespace IronLb.Networking.Sockets;

/// <summary>The real platform: AF_PACKET sockets and IPv6 multicast joins.</summary>
internal sealed class LinuxLinkLayerPlatform : ILinkLayerPlatform
{
    public IReadOnlyList<ILinkLayerTransport> OpenArp(int interfaceIndex, ReadOnlySpan<int> laneCpus) =>
        PacketSocket.OpenLanes(interfaceIndex, EthernetHeader.EtherTypeArp, default, laneCpus);

    public IReadOnlyList<ILinkLayerTransport> OpenNdp(int interfaceIndex, ReadOnlySpan<int> laneCpus) =>
        PacketSocket.OpenLanes(interfaceIndex, EthernetHeader.EtherTypeIpv6, BpfInstruction.NeighborDiscoveryFilter, laneCpus);

    public IMulticastGroups OpenGroups(int interfaceIndex) => new Ipv6MulticastGroups(interfaceIndex);

    public ResponderPlacement Placement(Layer2Options options) => ResponderPlacement.From(options, CpuPlacement.AllowedCpus());

    public Ebpf.IKernelResponder? OpenKernelResponder() => Ebpf.KernelResponder.Open();

    public IDisposable? WatchInterfaces(Action onChange) => NetlinkLinkMonitor.Start(onChange);
}
