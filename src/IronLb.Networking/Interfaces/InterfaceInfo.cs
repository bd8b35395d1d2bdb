using System.Net;
using IronLb.Networking.Packets;

namespace IronLb.Networking.Interfaces;

/// <summary>Kernel IFF_* bits as sysfs prints them in <c>/sys/class/net/X/flags</c>.</summary>
[Flags]
internal enum InterfaceFlags : uint
{
    None = 0,
    Up = 0x1,
    Broadcast = 0x2,
    Loopback = 0x8,
    NoArp = 0x80,
}

/// <summary>One host interface as discovered. <see cref="LinkType"/> is ARPHRD_* (1 = Ethernet).</summary>
internal sealed record InterfaceInfo(
    string Name,
    int Index,
    MacAddress Mac,
    InterfaceFlags Flags,
    int LinkType,
    bool HasMaster,
    IPAddress? LinkLocal)
{
    public const int LinkTypeEthernet = 1;

    public bool IsUp => (Flags & InterfaceFlags.Up) != 0;
}
