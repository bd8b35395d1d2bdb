using System.Net;
using System.Net.Sockets;

namespace IronLb.Speaker.Membership;

/// <summary>
/// One UDP socket on the speaker's advertised address. Datagrams only: the protocol tolerates loss, so there
/// is no retry, queue or connection state here. Binding happens in Open, never in a constructor.
/// </summary>
internal sealed class UdpMembershipTransport : IDisposable
{
    /// <summary>
    /// Room for a burst while the receive loop catches up (a flood must not crowd out the peers' next
    /// heartbeats); the kernel caps it at net.core.rmem_max.
    /// </summary>
    public const int ReceiveBufferBytes = 4 << 20;

    private readonly Socket _socket;
    private readonly IPEndPoint _anySource;

    private UdpMembershipTransport(Socket socket)
    {
        _socket = socket;
        _anySource = socket.AddressFamily == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>
    /// Binds exactly <paramref name="bind"/>. The wildcard is refused: the socket would then take datagrams
    /// from every interface of the host, the opposite of listening where the peers were told to send.
    /// </summary>
    public static UdpMembershipTransport Open(IPEndPoint bind)
    {
        ArgumentNullException.ThrowIfNull(bind);
        if (bind.Address.Equals(IPAddress.Any) || bind.Address.Equals(IPAddress.IPv6Any))
        {
            throw new InvalidOperationException($"membership must listen on this node's own address, not the wildcard {bind.Address}; set --membership-address");
        }

        var socket = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.ReceiveBufferSize = ReceiveBufferBytes;
            socket.Bind(bind);
            return new UdpMembershipTransport(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public ValueTask<int> SendAsync(ReadOnlyMemory<byte> payload, IPEndPoint to, CancellationToken cancellationToken) =>
        _socket.SendToAsync(payload, SocketFlags.None, to, cancellationToken);

    public async ValueTask<(int Length, IPEndPoint From)> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var result = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, _anySource, cancellationToken).ConfigureAwait(false);
        return (result.ReceivedBytes, (IPEndPoint)result.RemoteEndPoint);
    }

    public void Dispose() => _socket.Dispose();
}
