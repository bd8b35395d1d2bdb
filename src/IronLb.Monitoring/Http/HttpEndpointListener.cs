using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace IronLb.Monitoring.Http;

/// <summary>
/// One listening socket serving <see cref="HttpRoutes"/>: one request per connection, then close. At most
/// <see cref="HttpServerLimits.MaxConnections"/> connections are open at once, each with one head buffer and its
/// deadlines, so a flood or a stalled client costs bounded memory and time. A newcomer beyond the limit closes the
/// connection idle longest (<see cref="IdleConnections"/>); the rest wait in the kernel's queue.
/// </summary>
internal sealed class HttpEndpointListener : IAsyncDisposable
{
    private const string Lingering = "lingering after the answer";
    private const string Evicted = "closed to make room for a newer connection";

    private readonly Socket _socket;
    private readonly HttpRoutes _routes;
    private readonly HttpServerLimits _limits;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _slots;
    private readonly IdleConnections _idle = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _accepting = Task.CompletedTask;
    private int _open;

    private HttpEndpointListener(Socket socket, string url, HttpRoutes routes, HttpServerLimits limits, ILogger logger)
    {
        _socket = socket;
        Url = url;
        _routes = routes;
        _limits = limits;
        _logger = logger;
        _slots = new SemaphoreSlim(limits.MaxConnections, limits.MaxConnections);
    }

    /// <summary>Connections being served now (each with its deadline running): what tests wait on.</summary>
    public int OpenConnections => Volatile.Read(ref _open);

    /// <summary>"http://127.0.0.1:9120", "http://[::1]:9120"; "http://[::]:9120" for every interface.</summary>
    public string Url { get; }

    /// <summary>
    /// Binds and listens on <paramref name="endpoint"/> and starts accepting. The IPv6 any-address takes IPv4 too
    /// (dual mode, as Kestrel's ":port" did), or is IPv4's any-address where the host has no IPv6. A port that cannot
    /// be bound is an <see cref="IOException"/> naming the address, as Kestrel's was.
    /// </summary>
    public static HttpEndpointListener Start(IPEndPoint endpoint, HttpRoutes routes, HttpServerLimits limits, ILogger logger)
    {
        var everywhere = endpoint.Address.Equals(IPAddress.IPv6Any);
        if (everywhere && !Socket.OSSupportsIPv6)
        {
            endpoint = new IPEndPoint(IPAddress.Any, endpoint.Port);
        }

        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endpoint.AddressFamily == AddressFamily.InterNetworkV6 && endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(endpoint);
            socket.Listen(limits.Backlog);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new IOException($"failed to bind to address http://{ListenAddress.Format(endpoint.Address, endpoint.Port)}: {e.Message}", e);
        }

        var bound = (IPEndPoint)socket.LocalEndPoint!;
        var url = $"http://{(everywhere ? $"[::]:{bound.Port}" : ListenAddress.Format(bound.Address, bound.Port))}";
        var listener = new HttpEndpointListener(socket, url, routes, limits, logger);
        listener._accepting = listener.AcceptAsync();
        return listener;
    }

    private async Task AcceptAsync()
    {
        var stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(stop).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // EMFILE, ENOBUFS, a connection reset while queued: the listener itself is fine; pause so a persistent
                // error does not spin, then accept again.
                _logger.LogAcceptFailed(Url, e.Message);
                try
                {
                    await Task.Delay(_limits.AcceptRetry, _limits.Time, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            try
            {
                // Every slot taken: close the connection idle longest and take its slot when it has gone; when none is
                // idle (all are being answered, each within its reply deadline), wait for one to end.
                if (!_slots.Wait(0))
                {
                    _idle.EvictOldest();
                    await _slots.WaitAsync(stop).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                client.Dispose();
                return;
            }

            _ = ServeAsync(client);
        }
    }

    /// <summary>One connection: read a head, answer, linger, close. Never throws; always frees its slot.</summary>
    private async Task ServeAsync(Socket client)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(_limits.HeadBytes);
        var stage = "waiting for the request head";
        EndPoint? peer = null;
        using var deadline = new CancellationTokenSource(_limits.HeadTimeout, _limits.Time);
        using var token = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, _stop.Token);
        var idle = new IdleConnection(deadline);

        // Counted once its deadline runs, so a test that sees the count can move the clock past it.
        Interlocked.Increment(ref _open);
        try
        {
            using (client)
            {
                peer = client.RemoteEndPoint;
                _idle.Enter(idle);
                var head = await ReadHeadAsync(client, buffer, token.Token).ConfigureAwait(false);
                if (!_idle.Leave(idle))
                {
                    // Evicted just as its head arrived.
                    _logger.LogDropped(peer, Url, Evicted, stage);
                    return;
                }

                if (head is null)
                {
                    _logger.LogDropped(peer, Url, "closed", stage);
                    return;
                }

                if (head.Value.Status != HeadStatus.Complete)
                {
                    _logger.LogRefused(peer, Url, head.Value.Status);
                }

                stage = "sending the answer";
                deadline.CancelAfter(_limits.ReplyTimeout);
                await SendAsync(client, Answer(head.Value).Encode(_limits.Time.GetUtcNow()), token.Token).ConfigureAwait(false);

                stage = Lingering;
                deadline.CancelAfter(_limits.LingerTimeout);
                _idle.Enter(idle);
                client.Shutdown(SocketShutdown.Send);
                await DrainAsync(client, buffer, token.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested || stage == Lingering)
        {
            // Shutting down, or the client kept its side open after the answer: it has what it asked for.
        }
        catch (OperationCanceledException)
        {
            _logger.LogDropped(peer, Url, idle.Evicted ? Evicted : "timed out", stage);
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
        {
            _logger.LogDropped(peer, Url, e.Message, stage);
        }
        finally
        {
            _idle.Leave(idle);
            Interlocked.Decrement(ref _open);
            ArrayPool<byte>.Shared.Return(buffer);
            _slots.Release();
        }
    }

    /// <summary>The head, or null when the client closed first. Parses again only when a line has ended.</summary>
    private async Task<RequestHead?> ReadHeadAsync(Socket client, byte[] buffer, CancellationToken token)
    {
        var limit = _limits.HeadBytes;
        var filled = 0;
        while (true)
        {
            var read = await client.ReceiveAsync(buffer.AsMemory(filled, limit - filled), SocketFlags.None, token).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            filled += read;
            if (filled < limit && buffer.AsSpan(filled - read, read).IndexOf((byte)'\n') < 0)
            {
                continue;
            }

            var head = RequestHeadParser.Parse(buffer.AsSpan(0, filled), limit);
            if (head.Status != HeadStatus.Incomplete)
            {
                return head;
            }
        }
    }

    private HttpReply Answer(RequestHead head)
    {
        try
        {
            return _routes.Answer(head);
        }
#pragma warning disable CA1031 // A handler's failure (a metrics callback that throws) is the client's 500, never the listener's end.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _logger.LogHandlerFailed(head.Path, Url, e);
            return HttpRoutes.Failed(head);
        }
    }

    private static async Task SendAsync(Socket client, ReadOnlyMemory<byte> bytes, CancellationToken token)
    {
        while (!bytes.IsEmpty)
        {
            var sent = await client.SendAsync(bytes, SocketFlags.None, token).ConfigureAwait(false);
            bytes = bytes[sent..];
        }
    }

    /// <summary>Reads and discards until the client closes, up to the linger limits.</summary>
    private async Task DrainAsync(Socket client, byte[] buffer, CancellationToken token)
    {
        var discarded = 0;
        while (discarded < _limits.LingerBytes)
        {
            var read = await client.ReceiveAsync(buffer.AsMemory(0, _limits.HeadBytes), SocketFlags.None, token).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            discarded += read;
        }
    }

    /// <summary>Stops accepting, ends the open connections and waits for them.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await _accepting.ConfigureAwait(false);

        // Every slot back means every connection has ended (they end promptly once stopped).
        for (var i = 0; i < _limits.MaxConnections; i++)
        {
            await _slots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        _slots.Dispose();
        _stop.Dispose();
    }
}
