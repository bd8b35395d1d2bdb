using System.Runtime.InteropServices;

namespace IronLb.Networking.Interop;

/// <summary>
/// The managed Socket cannot create AF_NETLINK sockets on Linux (its address-family table has no netlink),
/// so the socket is made and bound here and then handed to a Socket through SafeSocketHandle.
/// </summary>
internal static partial class Libc
{
    public const int AfNetlink = 16;
    public const int SockRaw = 3;
    public const int SockCloexec = 0x80000;
    public const int NetlinkRoute = 0;

    /// <summary>RTMGRP_LINK: links added, removed, up, down.</summary>
    public const uint RtmgrpLink = 0x1;

    /// <summary>RTMGRP_IPV6_IFADDR: IPv6 addresses (link-local ones decide NDP eligibility).</summary>
    public const uint RtmgrpIpv6Ifaddr = 0x100;

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    public static unsafe partial int Bind(int socket, SockaddrNl* address, int addressLength);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    /// <summary>struct sockaddr_nl.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SockaddrNl
    {
        public ushort Family;
        public ushort Padding;
        public uint Pid;
        public uint Groups;
    }
}
