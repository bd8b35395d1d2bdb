using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using IronLb.Networking.Interop;

namespace IronLb.Networking.Sockets;

/// <summary>
/// An AF_PACKET/SOCK_RAW socket bound to one interface and one ethertype. Needs CAP_NET_RAW. Created,
/// configured and bound through the managed Socket (style pattern 15); frames go in and out through recv(2)
/// and send(2) on its handle directly, which on a cold CPU saved about a microsecond per reply against the
/// managed Receive/Send. Used blocking, one dedicated thread per socket.
/// </summary>
internal sealed class PacketSocket : ILinkLayerTransport
{
    /// <summary>More lanes than this share sockets by CPU number modulo the count (see <see cref="BpfInstruction.FanoutByCpu"/>).</summary>
    public const int MaxLanes = 64;

    private const int SolSocket = 1;
    private const int SoAttachFilter = 26;
    private const int SolPacket = 263;
    private const int PacketFanout = 18;
    private const int PacketIgnoreOutgoing = 23;
    private const int PacketFanoutData = 22;
    private const int PacketFanoutCbpf = 6;
    private const int PacketFanoutFlagUniqueId = 0x2000;
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
                SetProgram(socket, SolSocket, SoAttachFilter, filter);
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

    /// <summary>
    /// One socket per entry of <paramref name="cpus"/> (at most <see cref="MaxLanes"/>), joined in a fanout
    /// group whose classic BPF program hands each frame to the socket of the CPU that received it. A lane
    /// thread pinned to that CPU is then woken where the softirq already runs: no inter-processor interrupt,
    /// no idle CPU to bring back up. One plain socket when <paramref name="cpus"/> has fewer than two entries
    /// or the kernel has no CBPF fanout.
    /// </summary>
    public static PacketSocket[] OpenLanes(int interfaceIndex, ushort etherType, ReadOnlySpan<BpfInstruction> filter, ReadOnlySpan<int> cpus)
    {
        if (cpus.Length <= 1)
        {
            return [Open(interfaceIndex, etherType, filter)];
        }

        cpus = cpus[..Math.Min(cpus.Length, MaxLanes)];
        var lanes = new List<PacketSocket>(cpus.Length);
        try
        {
            for (var i = 0; i < cpus.Length; i++)
            {
                lanes.Add(Open(interfaceIndex, etherType, filter));
            }

            // The kernel picks a group id no one else in this namespace uses (Linux 4.3+); the others join by that id.
            SetInt(lanes[0]._socket, SolPacket, PacketFanout, (PacketFanoutCbpf | PacketFanoutFlagUniqueId) << 16);
            Span<byte> group = stackalloc byte[4];
            _ = lanes[0]._socket.GetRawSocketOption(SolPacket, PacketFanout, group);
            var id = BinaryPrimitives.ReadInt32LittleEndian(group) & 0xFFFF;
            for (var i = 1; i < lanes.Count; i++)
            {
                SetInt(lanes[i]._socket, SolPacket, PacketFanout, id | (PacketFanoutCbpf << 16));
            }

            // Until this program is set the group hands every frame to the first socket: nothing is lost meanwhile.
            SetProgram(lanes[0]._socket, SolPacket, PacketFanoutData, BpfInstruction.FanoutByCpu(cpus));
            return [.. lanes];
        }
        catch (SocketException) when (lanes.Count == cpus.Length)
        {
            // All sockets opened but the kernel refused the fanout group (before 4.4: no CBPF fanout or
            // unique ids): answer from one socket, as before lanes existed, rather than not at all.
            foreach (var lane in lanes)
            {
                lane.Dispose();
            }

            return [Open(interfaceIndex, etherType, filter)];
        }
        catch
        {
            foreach (var lane in lanes)
            {
                lane.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// One blocking recv per frame; SO_RCVTIMEO bounds the wait so Dispose is noticed. The handle is
    /// marshalled as a SafeHandle, so a concurrent Dispose defers the close until this call returns.
    /// </summary>
    public int Receive(Span<byte> buffer) => ReceiveCore(buffer, 0);

    public int TryReceive(Span<byte> buffer) => ReceiveCore(buffer, Libc.MsgDontWait);

    public unsafe void Send(ReadOnlySpan<byte> frame)
    {
        fixed (byte* p = frame)
        {
            var sent = Libc.Send(_socket.SafeHandle, p, (nuint)frame.Length, 0);
            if (sent != frame.Length)
            {
                throw new SocketException(sent < 0 ? Marshal.GetLastPInvokeError() : (int)SocketError.MessageSize);
            }
        }
    }

    public void Dispose() => _socket.Dispose();

    private unsafe int ReceiveCore(Span<byte> buffer, int flags)
    {
        fixed (byte* p = buffer)
        {
            var n = Libc.Recv(_socket.SafeHandle, p, (nuint)buffer.Length, flags);
            if (n >= 0)
            {
                return (int)n;
            }

            // EAGAIN: the timeout (or nothing queued, for MSG_DONTWAIT). ENETDOWN is reported once after the
            // interface went down; the binding survives it coming back up.
            var errno = Marshal.GetLastPInvokeError();
            return errno is Libc.Eagain or Libc.Eintr or Libc.Enetdown ? 0 : throw new SocketException(errno);
        }
    }

    /// <summary>A struct sock_fprog option; the kernel copies the program during the call, so pinning for the call suffices.</summary>
    private static unsafe void SetProgram(Socket socket, int level, int name, ReadOnlySpan<BpfInstruction> program)
    {
        fixed (BpfInstruction* p = program)
        {
            var fprog = new SockFprog { Length = (ushort)program.Length, Filter = p };
            socket.SetRawSocketOption(level, name, new ReadOnlySpan<byte>(&fprog, sizeof(SockFprog)));
        }
    }

    private static void SetInt(Socket socket, int level, int name, int value)
    {
        Span<byte> v = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(v, value);
        socket.SetRawSocketOption(level, name, v);
    }

    private static void TrySetInt(Socket socket, int level, int name, int value)
    {
        try
        {
            SetInt(socket, level, name, value);
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
