using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using IronLb.Bgp.Peering;
using IronLb.Bgp.Session;
using IronLb.Bgp.Wire;

namespace IronLb.Bgp.Tests.Peering;

/// <summary>
/// A router stand-in on loopback: accepts connections one after another, runs a passive <see cref="BgpSession"/>
/// over the real codec on each, and records what the driver sent (its routes by prefix, UPDATE count, End-of-RIB,
/// NOTIFICATIONs). It never ticks its machine: the tests end long before a 90 s hold time. A new connection starts
/// with an empty RIB, as a router without graceful restart drops a peer's routes when its session ends.
/// </summary>
internal sealed class TestBgpListener : IAsyncDisposable
{
    public const uint Asn = 64513;

    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private Task _accepting = Task.CompletedTask;
    private readonly SemaphoreSlim _writing = new(1, 1);
    private Socket? _current;
    private NetworkStream? _currentStream;
    private bool _fourOctetAs;

    public TestBgpListener(IPAddress address, IReadOnlyDictionary<IPAddress, string>? md5Keys = null)
    {
        _listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        foreach (var (peer, key) in md5Keys ?? new Dictionary<IPAddress, string>())
        {
            TcpMd5Option.Apply(_listener, peer, key);
        }

        _listener.Bind(new IPEndPoint(address, 0));
        _listener.Listen(8);
        _accepting = Task.Run(AcceptAsync);
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    /// <summary>The routes of the current connection's session, by prefix, with the UPDATE that announced each.</summary>
    public ConcurrentDictionary<IPNetwork, UpdateMessage> Rib { get; } = new();

    public ConcurrentQueue<IPEndPoint> AcceptedFrom { get; } = new();

    public ConcurrentQueue<NotificationMessage> Notifications { get; } = new();

    public ConcurrentQueue<Afi> EndOfRib { get; } = new();

    private int _updates;
    private int _sessions;

    /// <summary>UPDATEs received that were not End-of-RIB, over every connection.</summary>
    public int Updates => Volatile.Read(ref _updates);

    /// <summary>Sessions that reached Established.</summary>
    public int Sessions => Volatile.Read(ref _sessions);

    /// <summary>Send bytes with a broken marker once the next session is up (once).</summary>
    public bool GarbageOnce { get; set; }

    /// <summary>Offer graceful restart (RFC 4724) in the peer's OPEN.</summary>
    public bool GracefulRestart { get; init; }

    /// <summary>Connections that have ended, either side closing.</summary>
    public int Closes => Volatile.Read(ref _closes);

    private int _closes;

    public bool Holds(IEnumerable<IPNetwork> prefixes) => Rib.Keys.ToHashSet().SetEquals(prefixes);

    /// <summary>Sends a message on the current connection (a ROUTE-REFRESH, say), between the session's own writes.</summary>
    public async Task SendAsync(BgpMessage message)
    {
        var stream = Volatile.Read(ref _currentStream) ?? throw new InvalidOperationException("no connection");
        await WriteAsync(stream, BgpCodec.Encode(message, Volatile.Read(ref _fourOctetAs)));
    }

    /// <summary>Closes the current connection without a NOTIFICATION, as a router that reboots.</summary>
    public void Drop() => Interlocked.Exchange(ref _current, null)?.Dispose();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        Drop();
        _listener.Dispose();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
        _writing.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }

            AcceptedFrom.Enqueue((IPEndPoint)socket.RemoteEndPoint!);
            Rib.Clear();
            _current = socket;
            try
            {
                await ServeAsync(socket);
            }
            catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
            {
                // The driver or the test closed it: wait for the next one.
            }
            finally
            {
                Interlocked.CompareExchange(ref _current, null, socket);
                socket.Dispose();
                Interlocked.Increment(ref _closes);
            }
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        var config = new BgpSessionConfig(Asn, DriverTests.LocalAsn, 0x0A00_0002) { Passive = true, GracefulRestart = GracefulRestart };
        var state = BgpSessionState.Initial(config);
        var stream = new NetworkStream(socket, ownsSocket: false);
        Volatile.Write(ref _currentStream, stream);
        var reader = PipeReader.Create(stream);
        var closed = false;

        async Task Step(BgpEvent @event)
        {
            var transition = BgpSession.Handle(state, @event);
            state = transition.State;
            foreach (var action in transition.Actions)
            {
                switch (action)
                {
                    case SendAction send:
                        await WriteAsync(stream, BgpCodec.Encode(send.Message, state.FourOctetAs));
                        break;
                    case CloseAction:
                        closed = true;
                        break;
                    case SessionUpAction up:
                        Volatile.Write(ref _fourOctetAs, up.Session.FourOctetAs);
                        Interlocked.Increment(ref _sessions);
                        if (GarbageOnce)
                        {
                            GarbageOnce = false;
                            await WriteAsync(stream, new byte[BgpConstants.HeaderLength]);
                        }

                        break;
                    case UpdateIgnoredAction ignored:
                        Apply(ignored.Update);
                        break;
                    default:
                        break;
                }
            }
        }

        await Step(new StartEvent(TimeSpan.Zero));
        await Step(new TcpConnectedEvent(TimeSpan.Zero));
        while (!closed)
        {
            var result = await reader.ReadAsync();
            var buffer = result.Buffer;
            while (!closed && BgpFramer.TryReadFrame(ref buffer, out var frame, out var fault) is var status && status != FrameStatus.NeedMoreData)
            {
                if (status == FrameStatus.HeaderError)
                {
                    await Step(new DecodeFailedEvent(TimeSpan.Zero, fault, BgpMessageType.None));
                    break;
                }

                var decoded = BgpFramer.Decode(frame, state.DecodeContext);
                if (decoded.Message is NotificationMessage notification)
                {
                    Notifications.Enqueue(notification);
                }

                await Step(decoded.IsAccepted
                    ? new MessageReceivedEvent(TimeSpan.Zero, decoded.Message!)
                    : new DecodeFailedEvent(TimeSpan.Zero, decoded, (BgpMessageType)frame.Slice(18, 1).FirstSpan[0]));
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        await reader.CompleteAsync();
    }

    private async Task WriteAsync(NetworkStream stream, byte[] bytes)
    {
        await _writing.WaitAsync();
        try
        {
            await stream.WriteAsync(bytes);
        }
        finally
        {
            _writing.Release();
        }
    }

    private void Apply(UpdateMessage update)
    {
        if (update.IsEndOfRib(out var afi, out _))
        {
            EndOfRib.Enqueue(afi);
            return;
        }

        Interlocked.Increment(ref _updates);
        foreach (var prefix in AdjRibOutTests.Withdrawn(update))
        {
            Rib.TryRemove(prefix, out _);
        }

        foreach (var prefix in AdjRibOutTests.Announced(update))
        {
            Rib[prefix] = update;
        }
    }
}
