using System.Net;
using System.Net.Sockets;

namespace IronLb.Speaker.Membership;

/// <summary>
/// One UDP socket on the configured bind address. Datagrams only: the protocol tolerates loss, so there is
/// no retry, queue or connection state here. Binding happens in Open, never in a constructor.
/// </summary>
internal sealed class UdpMembershipTransport : IDisposable
{
    private readonly Socket _socket;

    private UdpMembershipTransport(Socket socket) => _socket = socket;

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    public static UdpMembershipTransport Open(IPEndPoint bind)
    {
        ArgumentNullException.ThrowIfNull(bind);
        var socket = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
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
        var any = _socket.AddressFamily == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
        var result = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, cancellationToken).ConfigureAwait(false);
        return (result.ReceivedBytes, (IPEndPoint)result.RemoteEndPoint);
    }

    public void Dispose() => _socket.Dispose();
}
