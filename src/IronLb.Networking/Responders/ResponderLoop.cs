using System.Diagnostics;
using System.Runtime.CompilerServices;
using IronLb.Networking.Conflicts;
using IronLb.Networking.Interfaces;
using IronLb.Networking.Packets;
using IronLb.Networking.Sockets;
using Microsoft.Extensions.Logging;

namespace IronLb.Networking.Responders;

/// <summary>
/// One responder on one interface and family: per lane, a dedicated thread in a blocking receive on its
/// own socket, answering from the current table. Buffers and counters are allocated once per lane; the
/// packet path takes no lock, allocates nothing and writes no memory another lane writes.
/// </summary>
internal sealed class ResponderLoop : IDisposable
{
    private static int s_realtimeRefusalLogged;
    private static int s_sliceRefusalLogged;

    private readonly Lane[] _lanes;
    private readonly AnnounceTableHolder _tables;
    private readonly Layer2Metrics _metrics;
    private readonly DropCounters _drops;
    private readonly ILogger _logger;
    private readonly ResponderPlacement _placement;
    private readonly ArpResponder? _arp;
    private readonly NdpResponder? _ndp;
    private volatile bool _stopping;
    private volatile bool _faulted;

    public ResponderLoop(InterfaceInfo info, ResponderKind kind, IReadOnlyList<ILinkLayerTransport> transports, ResponderPlacement placement, AnnounceTableHolder tables, Layer2Metrics metrics, DropCounters drops, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfZero(transports.Count);
        Interface = info;
        Kind = kind;
        _tables = tables;
        _metrics = metrics;
        _drops = drops;
        _logger = logger;
        _placement = placement;
        // Lanes are pinned only when the platform opened one per CPU; fewer (it fell back to one socket)
        // means that socket gets every frame, and its thread must not be tied to one CPU.
        var pinned = transports.Count == placement.LaneCpus.Length;
        _lanes = new Lane[transports.Count];
        for (var i = 0; i < _lanes.Length; i++)
        {
            _lanes[i] = new Lane(transports[i], pinned ? placement.LaneCpus[i] : -1, drops.Allocate());
        }

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

    /// <summary>"eno2/arp": how responders are listed and matched with the kernel's attachments.</summary>
    public string Name => $"{Interface.Name}/{Kind.Protocol()}";

    public ResponderKind Kind { get; }

    /// <summary>Receive threads (one per CPU in <see cref="Layer2Threading.PerCpu"/> mode).</summary>
    public int LaneCount => _lanes.Length;

    /// <summary>A lane's receive failed in a way we do not expect to heal; the next scan replaces this loop.</summary>
    public bool Faulted => _faulted;

    public void Start()
    {
        var name = $"l2-{Kind.Protocol()}-{Interface.Name}";
        foreach (var lane in _lanes)
        {
            // A lane needs little stack; many of them (one per CPU) should not reserve the default each.
            lane.Thread = new Thread(() => Run(lane), maxStackSize: 256 * 1024)
            {
                IsBackground = true,
                Name = lane.Cpu < 0 ? name : $"{name}-{lane.Cpu}",
            };
            lane.Thread.Start();
        }
    }

    /// <summary>One gratuitous round for <paramref name="entry"/>: ARP request + reply, or one unsolicited NA.</summary>
    public int SendGratuitous(AnnounceEntry entry)
    {
        // Any lane's socket will do: they are all bound to this interface.
        var transport = _lanes[0].Transport;
        Span<byte> frame = stackalloc byte[NeighborAdvertisement.FrameLength];
        var sent = 0;
        try
        {
            if (_arp is not null && !entry.IsIpv6)
            {
                transport.Send(frame[.._arp.WriteGratuitous(frame, entry.V4, ArpPacket.OpRequest)]);
                sent++;
                transport.Send(frame[.._arp.WriteGratuitous(frame, entry.V4, ArpPacket.OpReply)]);
                sent++;
            }
            else if (_ndp is not null && entry.IsIpv6)
            {
                transport.Send(frame[.._ndp.WriteUnsolicited(frame, entry.V6)]);
                sent++;
            }
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            Log.SendFailed(_logger, e, entry.Label, Interface.Name);
        }

        return sent;
    }

    /// <summary>
    /// Tells every lane to stop, without waiting: each leaves at its next receive timeout. Disposing a
    /// socket waits for a receive in progress on it to return, so an announcer that signals every loop
    /// before disposing any stops in one receive timeout instead of one per socket.
    /// </summary>
    public void RequestStop() => _stopping = true;

    public void Dispose()
    {
        _stopping = true;
        foreach (var lane in _lanes)
        {
            lane.Transport.Dispose();
        }

        // All lanes see the flag within one receive timeout, so the joins together take about one timeout.
        foreach (var lane in _lanes)
        {
            if (lane.Thread is { } thread && thread != Thread.CurrentThread)
            {
                thread.Join(TimeSpan.FromSeconds(2));
            }

            _drops.Retire(lane.Drops);
        }
    }

    private void Run(Lane lane)
    {
        Place(lane);
        try
        {
            while (!_stopping)
            {
                var n = lane.Transport.Receive(lane.Frame);
                if (n > 0)
                {
                    Handle(lane, n);
                    if (_placement.SpinTicks > 0)
                    {
                        Spin(lane);
                    }
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

    /// <summary>
    /// Pins the lane and adjusts its scheduling as configured. All of it is optimisation: refused, the lane
    /// answers all the same, only later, so a refusal is logged at debug level (once per process for the
    /// privileged parts) and never stops the responder.
    /// </summary>
    private void Place(Lane lane)
    {
        if (lane.Cpu >= 0 && CpuPlacement.PinCurrentThread(lane.Cpu) is var pinError and not 0)
        {
            Log.PinRefused(_logger, Interface.Name, lane.Cpu, pinError);
        }

        if (_placement.TimeSlice is { } slice && CpuPlacement.RequestTimeSlice(slice) is var sliceError and not 0
            && Interlocked.Exchange(ref s_sliceRefusalLogged, 1) == 0)
        {
            Log.TimeSliceRefused(_logger, slice.TotalMicroseconds, sliceError);
        }

        if (_placement.RealtimePriority > 0 && CpuPlacement.MakeCurrentThreadRealtime(_placement.RealtimePriority) is var rtError and not 0
            && Interlocked.Exchange(ref s_realtimeRefusalLogged, 1) == 0)
        {
            Log.RealtimeRefused(_logger, _placement.RealtimePriority, rtError);
        }
    }

    /// <summary>
    /// Polls without blocking for up to the spin window after a frame, so a request that follows soon is
    /// taken without a wake-up. Keeps the CPU busy for the window after every frame; opt-in only.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Spin(Lane lane)
    {
        var until = Stopwatch.GetTimestamp() + _placement.SpinTicks;
        while (!_stopping)
        {
            var n = lane.Transport.TryReceive(lane.Frame);
            if (n > 0)
            {
                Handle(lane, n);
                until = Stopwatch.GetTimestamp() + _placement.SpinTicks;
            }
            else if (Stopwatch.GetTimestamp() > until)
            {
                return;
            }
        }
    }

    // Hot methods are compiled optimised at once: the first request after start must not pay for tier-0 code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Handle(Lane lane, int length)
    {
        var table = _tables.Current;
        var frame = lane.Frame[..length];
        var reply = lane.Reply;
        AnnounceEntry? entry;
        int replyLength;
        var reason = _arp is not null
            ? _arp.Process(frame, table, reply, out replyLength, out entry)
            : _ndp!.Process(frame, table, reply, out replyLength, out entry);
        if (reason == DropReason.None && !_tables.Deadline.IsOpen)
        {
            // The same deadline as the kernel's: a frame it handed on because it passed is not answered here either.
            reason = DropReason.NotAnswering;
        }

        lane.Drops[(int)reason]++;
        if (reason == DropReason.None && entry is not null)
        {
            Answer(lane, reply[..replyLength], entry);
        }

        // After the answer: the conflict check must not delay a reply, and costs nothing when no one listens.
        if (_tables.Claims.Observer is { } observer)
        {
            CheckClaim(frame, table, observer);
        }
    }

    private void Answer(Lane lane, ReadOnlySpan<byte> reply, AnnounceEntry entry)
    {
        // Answer first, count afterwards: metric listeners must not sit between a request and its reply.
        var sent = false;
        try
        {
            lane.Transport.Send(reply);
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

    /// <summary>
    /// Reports a foreign frame that claims an address in the table or the watched set. Allocation-free for the
    /// frames that claim nothing, which are nearly all of them; a claim builds its address and calls the observer.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CheckClaim(ReadOnlySpan<byte> frame, AnnounceTable table, Action<AddressClaim> observer)
    {
        var watched = _tables.Claims.Watched;
        AddressClaim claim;
        if (_arp is not null)
        {
            if (!ClaimClassifier.TryArp(frame, Interface.Mac, table, watched, out var kind, out var v4, out var claimant))
            {
                return;
            }

            claim = new AddressClaim(Interface.Name, WatchedAddresses.FromV4(v4), claimant, kind);
        }
        else
        {
            if (!ClaimClassifier.TryNdp(frame, Interface.Mac, table, watched, out var kind, out var v6, out var claimant))
            {
                return;
            }

            claim = new AddressClaim(Interface.Name, WatchedAddresses.FromV6(v6), claimant, kind);
        }

        try
        {
            observer(claim);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The observer is the caller's code; whatever it throws must not end this responder's lane.
            Log.ClaimObserverFailed(_logger, e, claim.Address, Interface.Name);
        }
    }

    /// <summary>One receive thread with its socket, buffers and counters.</summary>
    private sealed class Lane
    {
        private const int MaxReply = 128;
        private const int MaxFrame = 2048;

        // Reply first, then the frame, in one array: the bytes the packet path touches (the reply and the
        // first hundred bytes of the frame) sit together, usually in one page, which matters on a cold CPU.
        private readonly byte[] _buffer = new byte[MaxReply + MaxFrame];

        public Lane(ILinkLayerTransport transport, int cpu, long[] drops)
        {
            Transport = transport;
            Cpu = cpu;
            Drops = drops;
        }

        public ILinkLayerTransport Transport { get; }

        /// <summary>The CPU this lane's thread is pinned to, -1 for none.</summary>
        public int Cpu { get; }

        /// <summary>This lane's own counters (one writer: the lane thread).</summary>
        public long[] Drops { get; }

        public Span<byte> Frame => _buffer.AsSpan(MaxReply);

        public Span<byte> Reply => _buffer.AsSpan(0, MaxReply);

        public Thread? Thread { get; set; }
    }
}
