using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace IronLb.Networking.Sockets;

/// <summary>
/// An AF_PACKET/SOCK_RAW socket bound to one interface and one ethertype, through the managed Socket
/// (style pattern 15). Needs CAP_NET_RAW. Used blocking from one dedicated thread: that is the tightest
/// receive path .NET offers (no async continuation between the kernel waking us and our reply).
/// </summary>
internal sealed class PacketSocket : ILinkLayerTransport
{
    private const int SolSocket = 1;
    private const int SoAttachFilter = 26;
    private const int SolPacket = 263;
    private const int PacketIgnoreOutgoing = 23;
    private const int ReceiveTimeoutMs = 250;

    private readonly Socket _socket;

    private PacketSocket(Socket socket) => _socket = socket;

    public static PacketSocket Open(int interfaceIndex, ushort etherType, ReadOnlySpan<BpfInstruction> filter = default)
    {
        // The protocol argument reaches the kernel unchanged, so it must already be htons(ethertype) (dotnet-notes §5.7).
        var protocol = (ProtocolType)BinaryPrimitives.ReverseEndianness(etherType);
        var socket = new Socket(AddressFamily.Packet, SocketType.Raw, protocol);
        try
        {
            if (!filter.IsEmpty)
            {
                AttachFilter(socket, filter);
            }

            // Our own transmissions are never requests to answer; best effort (Linux 4.20+).
            TrySetInt(socket, SolPacket, PacketIgnoreOutgoing, 1);
            socket.ReceiveTimeout = ReceiveTimeoutMs;
            socket.Bind(new LinkLayerEndPoint(interfaceIndex, etherType));
            return new PacketSocket(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public int Receive(Span<byte> buffer)
    {
        // One blocking recvfrom per frame; SO_RCVTIMEO bounds the wait so Dispose is noticed.
        var n = _socket.Receive(buffer, SocketFlags.None, out var error);
        return error switch
        {
            SocketError.Success => n,
            // ENETDOWN is reported once after the interface went down; the binding survives it coming back up.
            SocketError.TimedOut or SocketError.WouldBlock or SocketError.Interrupted or SocketError.NetworkDown => 0,
            _ => throw new SocketException((int)error),
        };
    }

    public void Send(ReadOnlySpan<byte> frame)
    {
        var sent = _socket.Send(frame, SocketFlags.None, out var error);
        if (error != SocketError.Success || sent != frame.Length)
        {
            throw new SocketException((int)error);
        }
    }

    public void Dispose() => _socket.Dispose();

    /// <summary>SO_ATTACH_FILTER with a classic BPF program; the kernel copies it during the call, so pinning for the call suffices.</summary>
    private static unsafe void AttachFilter(Socket socket, ReadOnlySpan<BpfInstruction> program)
    {
        fixed (BpfInstruction* p = program)
        {
            var fprog = new SockFprog { Length = (ushort)program.Length, Filter = p };
            socket.SetRawSocketOption(SolSocket, SoAttachFilter, new ReadOnlySpan<byte>(&fprog, sizeof(SockFprog)));
        }
    }

    private static void TrySetInt(Socket socket, int level, int name, int value)
    {
        Span<byte> v = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(v, value);
        try
        {
            socket.SetRawSocketOption(level, name, v);
        }
        catch (SocketException)
        {
            // Older kernels lack the option; the responder drops its own frames by source MAC anyway.
        }
    }

    /// <summary>struct sock_fprog: unsigned short len, then (after padding) a pointer.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct SockFprog
    {
        public ushort Length;
        public BpfInstruction* Filter;
    }
}

/// <summary>struct sock_filter: one classic BPF instruction.</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct BpfInstruction(ushort Code, byte JumpTrue, byte JumpFalse, uint K)
{
    private const ushort LoadByteAbsolute = 0x30; // BPF_LD | BPF_B | BPF_ABS
    private const ushort JumpIfEqual = 0x15;      // BPF_JMP | BPF_JEQ | BPF_K
    private const ushort Return = 0x06;           // BPF_RET | BPF_K

    /// <summary>
    /// Keeps only ICMPv6 neighbour solicitations (next header 58 at frame offset 20, type 135 at 54), so an
    /// ETH_P_IPV6 socket does not wake us for every IPv6 packet on a busy node. The parser re-checks everything.
    /// </summary>
    public static BpfInstruction[] NeighborSolicitationFilter { get; } =
    [
        new(LoadByteAbsolute, 0, 0, 20),
        new(JumpIfEqual, 0, 3, 58),
        new(LoadByteAbsolute, 0, 0, 54),
        new(JumpIfEqual, 0, 1, 135),
        new(Return, 0, 0, 0x40000),
        new(Return, 0, 0, 0),
    ];
}
