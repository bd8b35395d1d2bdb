using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using IronLb.Bgp.Wire;

namespace IronLb.Bgp.Peering;

/// <summary>
/// One TCP connection to a peer: the socket set up as the endpoint asks, a read loop that cuts the stream into
/// frames for the driver's loop, writes, and a close that lets what was written reach the peer.
/// </summary>
internal sealed class BgpConnection : IAsyncDisposable
{
    /// <summary>How long a closing connection waits for the peer's FIN after ours before it is torn down.</summary>
    private static readonly TimeSpan Linger = TimeSpan.FromSeconds(2);

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private Task _reading = Task.CompletedTask;

    public BgpConnection(Socket socket, int epoch)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        Epoch = epoch;
        Local = socket.LocalEndPoint as IPEndPoint;
    }

    public int Epoch { get; }

    public IPEndPoint? Local { get; }

    /// <summary>A socket for <paramref name="endpoint"/>: MD5 key, TTL and source address set, not yet connected.</summary>
    public static Socket Create(BgpPeerEndpoint endpoint)
    {
        var socket = new Socket(endpoint.Remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.NoDelay = true;
            if (endpoint.Password is { } password)
            {
                // Before connect: the SYN must be signed, or the peer's kernel drops it.
                TcpMd5Option.Apply(socket, endpoint.Remote.Address, password);
            }

            if (endpoint.EbgpMultiHop)
            {
                socket.Ttl = BgpPeerEndpoint.MultiHopTtl;
            }

            if (endpoint.SourceAddress is { } source)
            {
                socket.Bind(new IPEndPoint(source, 0));
            }

            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Starts reading; every frame, the header fault or the end goes to <paramref name="post"/>.</summary>
    public void StartReading(Func<DriverInput, bool> post) => _reading = Task.Run(() => ReadAsync(post));

    public async ValueTask SendAsync(byte[] message, CancellationToken cancellationToken) =>
        await _stream.WriteAsync(message, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// FIN after what was written, then keep reading (discarding) until the peer closes or the linger runs out:
    /// closing a socket with unread data sends a RST, which could destroy our NOTIFICATION on its way.
    /// </summary>
    public async Task CloseAsync(TimeProvider time)
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // Already broken: nothing left to flush.
        }
        catch (ObjectDisposedException)
        {
        }

        await Task.WhenAny(_reading, Task.Delay(Linger, time)).ConfigureAwait(false);
        _socket.Dispose();
        await _stream.DisposeAsync().ConfigureAwait(false);
        await _reading.ConfigureAwait(false);
    }

    /// <summary>Tears the connection down at once (the driver is gone; nobody waits for a NOTIFICATION to arrive).</summary>
    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        await _stream.DisposeAsync().ConfigureAwait(false);
        await _reading.ConfigureAwait(false);
    }

    /// <summary>The next hops a session over this connection announces with (explicit ones first, then the local address).</summary>
    public (IPAddress? V4, IPAddress? V6, IPAddress? V6LinkLocal) NextHops(BgpPeerEndpoint endpoint)
    {
        var local = Local?.Address is { IsIPv4MappedToIPv6: true } mapped ? mapped.MapToIPv4() : Local?.Address;
        var v4 = endpoint.NextHopV4 ?? (local?.AddressFamily == AddressFamily.InterNetwork ? local : null);
        if (local?.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return (v4, endpoint.NextHopV6, endpoint.NextHopV6LinkLocal);
        }

        var bare = new IPAddress(local.GetAddressBytes());
        var v6 = endpoint.NextHopV6 ?? bare;
        var linkLocal = endpoint.NextHopV6LinkLocal ?? (bare.IsIPv6LinkLocal ? bare : LinkLocalBeside(bare));
        return (v4, v6, linkLocal);
    }

    /// <summary>RFC 2545 §3: a peer on the same link wants our link-local address too; take the one of the interface holding the local address.</summary>
    private static IPAddress? LinkLocalBeside(IPAddress local)
    {
        try
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                var addresses = nic.GetIPProperties().UnicastAddresses;
                if (addresses.Any(a => a.Address.Equals(local) || new IPAddress(a.Address.GetAddressBytes()).Equals(local)))
                {
                    return addresses.Select(a => a.Address).Where(a => a.IsIPv6LinkLocal).Select(a => new IPAddress(a.GetAddressBytes())).FirstOrDefault();
                }
            }
        }
        catch (NetworkInformationException)
        {
            // No link-local then: the global next hop alone is still a valid MP_REACH_NLRI.
        }

        return null;
    }

    private async Task ReadAsync(Func<DriverInput, bool> post)
    {
        var reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true));
        var outOfStep = false;
        string? error = null;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                while (!outOfStep)
                {
                    var status = BgpFramer.TryReadFrame(ref buffer, out var frame, out var fault);
                    if (status == FrameStatus.Frame)
                    {
                        post(new FrameReceived(Epoch, frame.ToArray()));
                    }
                    else
                    {
                        if (status == FrameStatus.HeaderError)
                        {
                            // Nothing after a bad header can be trusted; the rest is drained unread until the close.
                            post(new HeaderFault(Epoch, fault));
                            outOfStep = true;
                        }

                        break;
                    }
                }

                reader.AdvanceTo(outOfStep ? buffer.End : buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (IOException e)
        {
            error = e.InnerException?.Message ?? e.Message;
        }
        catch (ObjectDisposedException)
        {
            error = "closed";
        }
        catch (SocketException e)
        {
            error = e.Message;
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }

        post(new ConnectionEnded(Epoch, error));
    }
}
