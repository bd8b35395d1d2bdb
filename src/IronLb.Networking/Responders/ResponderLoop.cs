using System.Runtime.CompilerServices;
using IronLb.Networking.Interfaces;
using IronLb.Networking.Packets;
using IronLb.Networking.Sockets;
using Microsoft.Extensions.Logging;

namespace IronLb.Networking.Responders;

/// <summary>Which responder a loop runs.</summary>
internal enum ResponderKind
{
    Arp,
    Ndp,
}

/// <summary>Holds the current table; the announcer writes it, every packet reads it once.</summary>
internal sealed class AnnounceTableHolder
{
    private volatile AnnounceTable _current = AnnounceTable.Empty;

    public AnnounceTable Current
    {
        get => _current;
        set => _current = value;
    }
}

/// <summary>
/// One responder on one interface and family: a dedicated thread in a blocking receive, answering from the
/// current table. Buffers are allocated once per loop; the packet path takes no lock and allocates nothing.
/// </summary>
internal sealed class ResponderLoop : IDisposable
{
    private const int MaxFrame = 2048;

    private readonly ILinkLayerTransport _transport;
    private readonly AnnounceTableHolder _tables;
    private readonly Layer2Metrics _metrics;
    private readonly long[] _drops;
    private readonly ILogger _logger;
    private readonly ArpResponder? _arp;
    private readonly NdpResponder? _ndp;
    private readonly byte[] _receiveBuffer = new byte[MaxFrame];
    private readonly byte[] _replyBuffer = new byte[128];
    private Thread? _thread;
    private volatile bool _stopping;
    private volatile bool _faulted;

    public ResponderLoop(InterfaceInfo info, ResponderKind kind, ILinkLayerTransport transport, AnnounceTableHolder tables, Layer2Metrics metrics, long[] drops, ILogger logger)
    {
        Interface = info;
        Kind = kind;
        _transport = transport;
        _tables = tables;
        _metrics = metrics;
        _drops = drops;
        _logger = logger;
        if (kind == ResponderKind.Arp)
        {
            _arp = new ArpResponder(info.Name, info.Mac);
        }
        else
        {
            _ndp = new NdpResponder(info.Name, info.Mac);
        }
    }

    public InterfaceInfo Interface { get; }

    public ResponderKind Kind { get; }

    /// <summary>The receive failed in a way we do not expect to heal; the next scan replaces this loop.</summary>
    public bool Faulted => _faulted;

    public void Start()
    {
        _thread = new Thread(Run)
        {
            IsBackground = true,
            Name = $"l2-{Kind.ToString().ToLowerInvariant()}-{Interface.Name}",
        };
        _thread.Start();
    }

    /// <summary>One gratuitous round for <paramref name="entry"/>: ARP request + reply, or one unsolicited NA.</summary>
    public int SendGratuitous(AnnounceEntry entry)
    {
        Span<byte> frame = stackalloc byte[NeighborAdvertisement.FrameLength];
        var sent = 0;
        try
        {
            if (_arp is not null && !entry.IsIpv6)
            {
                _transport.Send(frame[.._arp.WriteGratuitous(frame, entry.V4, ArpPacket.OpRequest)]);
                sent++;
                _transport.Send(frame[.._arp.WriteGratuitous(frame, entry.V4, ArpPacket.OpReply)]);
                sent++;
            }
            else if (_ndp is not null && entry.IsIpv6)
            {
                _transport.Send(frame[.._ndp.WriteUnsolicited(frame, entry.V6)]);
                sent++;
            }
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            Log.SendFailed(_logger, e, entry.Label, Interface.Name);
        }

        return sent;
    }

    public void Dispose()
    {
        _stopping = true;
        _transport.Dispose();
        if (_thread is not null && _thread != Thread.CurrentThread)
        {
            _thread.Join(TimeSpan.FromSeconds(2));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Run()
    {
        try
        {
            while (!_stopping)
            {
                var n = _transport.Receive(_receiveBuffer);
                if (n > 0)
                {
                    Handle(n);
                }
            }
        }
        catch (Exception e) when (_stopping && e is ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            // Disposed under us: the normal way to stop.
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            _faulted = true;
            Log.ReceiveFailed(_logger, e, Interface.Name);
        }
    }

    // Hot methods are compiled optimised at once: the first request after start must not pay for tier-0 code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Handle(int length)
    {
        var table = _tables.Current;
        var frame = _receiveBuffer.AsSpan(0, length);
        AnnounceEntry? entry;
        int replyLength;
        var reason = _arp is not null
            ? _arp.Process(frame, table, _replyBuffer, out replyLength, out entry)
            : _ndp!.Process(frame, table, _replyBuffer, out replyLength, out entry);
        Interlocked.Increment(ref _drops[(int)reason]);
        if (reason != DropReason.None || entry is null)
        {
            return;
        }

        // Answer first, count afterwards: metric listeners must not sit between a request and its reply.
        var sent = false;
        try
        {
            _transport.Send(_replyBuffer.AsSpan(0, replyLength));
            sent = true;
        }
        catch (System.Net.Sockets.SocketException e)
        {
            Log.SendFailed(_logger, e, entry.Label, Interface.Name);
        }

        var label = Layer2Metrics.Ip(entry.Label);
        _metrics.RequestsReceived.Add(1, label);
        if (sent)
        {
            _metrics.ResponsesSent.Add(1, label);
        }
    }
}
