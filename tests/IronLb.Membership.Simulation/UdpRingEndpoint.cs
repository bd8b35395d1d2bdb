using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using IronLb.Speaker.Membership;
using IronLb.Speaker.Membership.Ring;

namespace IronLb.Membership.Simulation;

/// <summary>
/// One membership v2 endpoint on a real UDP socket: a <see cref="RingMembership"/>, its own tick loop every
/// <see cref="TickPeriod"/>, and a receive loop that passes each datagram through a <see cref="DatagramGate"/>
/// (source address, size, token bucket) before the ring decodes it and checks its HMAC. The two loops share
/// the ring under one lock, as the speaker's loop would. A deliberately small loop for the bench, not the speaker's.
/// </summary>
internal sealed class UdpRingEndpoint : IDisposable
{
    public static readonly TimeSpan TickPeriod = TimeSpan.FromMilliseconds(10);

    private readonly Lock _lock = new();
    private readonly RingMembership _ring;
    private readonly DatagramGate _gate = new(new DatagramGateOptions(), TimeProvider.System);
    private readonly Socket _socket;
    private readonly TickLag _lag;
    private readonly CancellationTokenSource _stop = new();
    private FrozenDictionary<string, IPEndPoint> _peers = FrozenDictionary<string, IPEndPoint>.Empty;
    private FrozenDictionary<IPAddress, string> _names = FrozenDictionary<IPAddress, string>.Empty;
    private Task _loops = Task.CompletedTask;
    private ImmutableArray<string> _electionOf = [];
    private HashSet<string> _electionSet = new(StringComparer.Ordinal);
    private long _sentDatagrams, _sentBytes, _receivedDatagrams, _receivedBytes, _gateRefused, _ringRefused;

    /// <summary>Binds the socket now (an ephemeral port on <paramref name="address"/>); nothing runs until <see cref="Start"/>.</summary>
    public UdpRingEndpoint(string name, IPAddress address, MembershipKey key, RingOptions options, int seed, TickLag lag)
    {
        Name = name;
        _lag = lag;
        _ring = new RingMembership(name, options, key, TimeProvider.System, new Random(seed));
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(new IPEndPoint(address, 0));
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public string Name { get; }

    public IPEndPoint EndPoint { get; }

    public bool Killed { get; private set; }

    public long SentDatagrams => Interlocked.Read(ref _sentDatagrams);

    public long SentBytes => Interlocked.Read(ref _sentBytes);

    public long ReceivedDatagrams => Interlocked.Read(ref _receivedDatagrams);

    public long ReceivedBytes => Interlocked.Read(ref _receivedBytes);

    /// <summary>Datagrams the gate refused (unknown source, oversized, rate-limited) and the ring refused (MAC, replay, ...).</summary>
    public (long Gate, long Ring) Refused => (Interlocked.Read(ref _gateRefused), Interlocked.Read(ref _ringRefused));

    public void ResetCounters()
    {
        Interlocked.Exchange(ref _sentDatagrams, 0);
        Interlocked.Exchange(ref _sentBytes, 0);
        Interlocked.Exchange(ref _receivedDatagrams, 0);
        Interlocked.Exchange(ref _receivedBytes, 0);
    }

    /// <summary>
    /// Reads the ring's state under its lock: (answering, election set). The set is rebuilt only when the ring hands out
    /// a new array: the bench polls every endpoint every few milliseconds, and list lookups at 200 endpoints cost
    /// more CPU than the endpoints themselves.
    /// </summary>
    public (bool Answering, IReadOnlySet<string> ElectionSet) State()
    {
        lock (_lock)
        {
            var current = _ring.ElectionSet;
            if (current != _electionOf)
            {
                _electionSet = new HashSet<string>(current, StringComparer.Ordinal);
                _electionOf = current;
            }

            return (_ring.Answering, _electionSet);
        }
    }

    /// <summary>Every member's endpoint (self included); starts the ring and both loops.</summary>
    public void Start(IReadOnlyDictionary<string, IPEndPoint> members)
    {
        _peers = members.ToFrozenDictionary(StringComparer.Ordinal);
        _names = members.ToFrozenDictionary(m => m.Value.Address, m => m.Key);
        _gate.SetSources(members.Where(m => m.Key != Name).Select(m => m.Value.Address), ushort.MaxValue);
        lock (_lock)
        {
            _ring.SetMembers(members.Keys);
            _ring.Start(1);
        }

        _loops = Task.WhenAll(Task.Run(TickLoopAsync), Task.Run(ReceiveLoopAsync));
    }

    /// <summary>kill -9: both loops stop and the socket closes; nothing is said to anyone.</summary>
    public void Kill()
    {
        Killed = true;
        _stop.Cancel();
        _socket.Dispose();
    }

    public void Dispose()
    {
        if (!Killed)
        {
            Kill();
        }

        _loops.Wait(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }

    private async Task TickLoopAsync()
    {
        var period = Stopwatch.Frequency / 100;
        var due = Stopwatch.GetTimestamp() + period;
        while (!_stop.IsCancellationRequested)
        {
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            var now = Stopwatch.GetTimestamp();
            _lag.Record(Stopwatch.GetElapsedTime(due, now));
            IReadOnlyList<RingDatagram> outgoing;
            lock (_lock)
            {
                outgoing = _ring.Tick();
            }

            foreach (var datagram in outgoing)
            {
                Send(datagram);
            }

            // A late tick is not made up for: the next one is a period after this one, as a timer that fired late would be.
            due = Math.Max(due + period, now + (period / 2));
        }
    }

    private void Send(RingDatagram datagram)
    {
        if (!_peers.TryGetValue(datagram.To, out var to))
        {
            return;
        }

        try
        {
            _socket.SendTo(datagram.Payload, SocketFlags.None, to);
            Interlocked.Increment(ref _sentDatagrams);
            Interlocked.Add(ref _sentBytes, datagram.Payload.Length);
        }
        catch (SocketException)
        {
            // a dead peer's port answers ICMP unreachable on loopback; UDP has no delivery promise anyway
        }
        catch (ObjectDisposedException)
        {
            // killed while sending
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[ushort.MaxValue];
        var any = new IPEndPoint(IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token).ConfigureAwait(false);
            }
            catch (SocketException) when (!_stop.IsCancellationRequested)
            {
                continue; // ICMP port unreachable from a killed peer surfaces as a receive error on Linux
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return; // killed
            }

            Interlocked.Increment(ref _receivedDatagrams);
            Interlocked.Add(ref _receivedBytes, received.ReceivedBytes);
            var source = ((IPEndPoint)received.RemoteEndPoint).Address;
            if (_gate.Check(source, received.ReceivedBytes) != ReceiveOutcome.Accepted || !_names.TryGetValue(source, out var from))
            {
                Interlocked.Increment(ref _gateRefused);
                continue;
            }

            RingReceiveOutcome outcome;
            lock (_lock)
            {
                outcome = _ring.Receive(from, buffer.AsSpan(0, received.ReceivedBytes));
            }

            if (outcome != RingReceiveOutcome.Accepted)
            {
                Interlocked.Increment(ref _ringRefused);
            }
        }
    }
}
