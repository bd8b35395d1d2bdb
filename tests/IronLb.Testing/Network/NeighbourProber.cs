using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.Json;

namespace IronLb.Testing.Network;

/// <summary>One probe round: when its requests went out (monotonic, since the prober started).</summary>
public readonly record struct ProbeRound(int Number, TimeSpan At);

/// <summary>An answer and the round it arrived in (the latest round sent before it).</summary>
public readonly record struct ProbeReply(int Round, TimeSpan At, NeighbourAnswer Answer);

/// <summary>
/// Asks, from a client's namespace, who has each of a set of addresses, every <c>period</c>: a broadcast ARP
/// request per IPv4 address and a neighbour solicitation per IPv6 one, over AF_PACKET sockets made inside the
/// namespace. Every answer is kept with its arrival time on the monotonic clock, so a judge can tell how long
/// two nodes answered at once, or none did. Three threads of its own (one sender, one receiver per family),
/// no processes: cheap enough to run through a whole lab test on two cores.
/// </summary>
/// <remarks>
/// Each answer must be put down to the round that asked, even when the receiving thread runs late on a loaded
/// machine (a whole round of ARP answers once landed in the next round, which made the round before look
/// unanswered). So round r asks from the client's address plus r mod <see cref="Slots"/>, and the answer,
/// addressed back to that address, names its round. The client's next <see cref="Slots"/> − 1 addresses must be
/// unused on the LAN (in the lab: .2–.8 and ::2–::8).
/// </remarks>
public sealed class NeighbourProber : IDisposable
{
    public const int Slots = 8;

    private static readonly TimeSpan ReceiveTimeout = TimeSpan.FromMilliseconds(100);

    private readonly Socket _arp;
    private readonly Socket _ndp;
    private readonly PhysicalAddress _mac;
    private readonly IPAddress _ipv4;
    private readonly IPAddress _ipv6;
    private readonly IReadOnlyList<IPAddress> _targets;
    private readonly TimeSpan _period;
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly Lock _gate = new();
    private readonly List<ProbeRound> _rounds = [];
    private readonly List<ProbeReply> _replies = [];
    private readonly List<Thread> _threads = [];
    private volatile bool _stopping;
    private int _round = -1;

    private NeighbourProber(Socket arp, Socket ndp, PhysicalAddress mac, IPAddress ipv4, IPAddress ipv6, IReadOnlyList<IPAddress> targets, TimeSpan period)
    {
        (_arp, _ndp, _mac, _ipv4, _ipv6, _targets, _period) = (arp, ndp, mac, ipv4, ipv6, targets, period);
    }

    public TimeSpan Period => _period;

    /// <summary>Starts probing <paramref name="targets"/> on <paramref name="device"/> in namespace <paramref name="netns"/>.</summary>
    public static async Task<NeighbourProber> StartAsync(string netns, string device, IReadOnlyList<IPAddress> targets, TimeSpan period)
    {
        // Read with ip(8): the managed NetworkInterface also reads /proc and /sys, which show the host's namespace.
        using var link = JsonDocument.Parse(await Ip.IpAsync("-n", netns, "-j", "addr", "show", "dev", device).ConfigureAwait(false));
        var info = link.RootElement[0];
        var mac = PhysicalAddress.Parse(info.GetProperty("address").GetString()!.Replace(':', '-'));
        var addresses = info.GetProperty("addr_info").EnumerateArray()
            .Where(a => a.GetProperty("scope").GetString() == "global")
            .Select(a => IPAddress.Parse(a.GetProperty("local").GetString()!)).ToList();
        var ipv4 = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? throw new InvalidOperationException($"{device} in {netns} has no IPv4 address");
        var ipv6 = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetworkV6)
            ?? throw new InvalidOperationException($"{device} in {netns} has no global IPv6 address");
        var prober = NetworkNamespace.Run(netns, () =>
        {
            var index = NetworkNamespace.InterfaceIndex(device);
            var arp = Open(index, NeighbourFrames.EtherTypeArp);
            try
            {
                return new NeighbourProber(arp, Open(index, NeighbourFrames.EtherTypeIpv6), mac, ipv4, ipv6, [.. targets], period);
            }
            catch
            {
                arp.Dispose();
                throw;
            }
        });
        prober.Begin();
        return prober;
    }

    /// <summary>Rounds sent so far and every answer received, both in order.</summary>
    public (IReadOnlyList<ProbeRound> Rounds, IReadOnlyList<ProbeReply> Replies) Snapshot()
    {
        lock (_gate)
        {
            return ([.. _rounds], [.. _replies]);
        }
    }

    /// <summary>Now on the prober's clock.</summary>
    public TimeSpan Now => Stopwatch.GetElapsedTime(_start);

    public void Dispose()
    {
        _stopping = true;
        foreach (var thread in _threads)
        {
            thread.Join();
        }

        _arp.Dispose();
        _ndp.Dispose();
    }

    private void Begin()
    {
        _threads.Add(new Thread(Send) { IsBackground = true, Name = "prober send" });
        _threads.Add(new Thread(() => Receive(_arp)) { IsBackground = true, Name = "prober arp" });
        _threads.Add(new Thread(() => Receive(_ndp)) { IsBackground = true, Name = "prober ndp" });
        foreach (var thread in _threads)
        {
            thread.Start();
        }
    }

    private void Send()
    {
        var frame = new byte[128];
        var next = TimeSpan.Zero;
        while (!_stopping)
        {
            lock (_gate)
            {
                _round++;
                _rounds.Add(new ProbeRound(_round, Now));
            }

            foreach (var target in _targets)
            {
                var ipv4 = NeighbourFrames.IsIpv4(target);
                var from = Offset(ipv4 ? _ipv4 : _ipv6, _round % Slots);
                var length = ipv4
                    ? NeighbourFrames.WriteArpRequest(frame, _mac, from, target)
                    : NeighbourFrames.WriteSolicitation(frame, _mac, from, target);
                try
                {
                    (ipv4 ? _arp : _ndp).Send(frame.AsSpan(0, length));
                }
                catch (SocketException)
                {
                    // The client's link may be down for a moment; the round then shows no answer, as it should.
                }
            }

            // A fixed schedule, not a fixed sleep: a late round does not push every later one back.
            next += _period;
            var wait = next - Now;
            if (wait > TimeSpan.Zero)
            {
                Thread.Sleep(wait);
            }
            else
            {
                next = Now;
            }
        }
    }

    private void Receive(Socket socket)
    {
        var buffer = new byte[2048];
        while (!_stopping)
        {
            int length;
            try
            {
                length = socket.Receive(buffer);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock or SocketError.Interrupted or SocketError.NetworkDown)
            {
                continue;
            }

            var at = Now;
            if (NeighbourFrames.ReadAnswer(buffer.AsSpan(0, length), _mac) is { } answer && _targets.Contains(answer.Address)
                && Slot(answer.AskedFrom, NeighbourFrames.IsIpv4(answer.Address) ? _ipv4 : _ipv6) is { } slot)
            {
                lock (_gate)
                {
                    // The latest round asked from that slot: an answer later than Slots rounds would be put down wrongly.
                    var round = _round - ((((_round - slot) % Slots) + Slots) % Slots);
                    _replies.Add(new ProbeReply(round, at, answer));
                }
            }
        }
    }

    /// <summary><paramref name="address"/> plus <paramref name="offset"/> in its last byte (the client's addresses end in a small number).</summary>
    private static IPAddress Offset(IPAddress address, int offset)
    {
        var bytes = address.GetAddressBytes();
        bytes[^1] += (byte)offset;
        return new IPAddress(bytes);
    }

    /// <summary>Which slot an answer went back to, or null when it went to none of ours.</summary>
    private static int? Slot(IPAddress askedFrom, IPAddress own)
    {
        var (a, b) = (askedFrom.GetAddressBytes(), own.GetAddressBytes());
        var slot = a[^1] - b[^1];
        return a.AsSpan(0, a.Length - 1).SequenceEqual(b.AsSpan(0, b.Length - 1)) && slot is >= 0 and < Slots ? slot : null;
    }

    private static Socket Open(int index, ushort etherType)
    {
        // The protocol reaches the kernel unchanged, so it must already be in network byte order.
        var socket = new Socket(AddressFamily.Packet, SocketType.Raw, (ProtocolType)BinaryPrimitives.ReverseEndianness(etherType));
        try
        {
            socket.ReceiveTimeout = (int)ReceiveTimeout.TotalMilliseconds;
            socket.Bind(new PacketEndPoint(index, etherType));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>struct sockaddr_ll for Bind: family, protocol (big-endian), interface index.</summary>
    private sealed class PacketEndPoint(int index, ushort etherType) : EndPoint
    {
        public override AddressFamily AddressFamily => AddressFamily.Packet;

        public override SocketAddress Serialize()
        {
            var address = new SocketAddress(AddressFamily.Packet, 20);
            BinaryPrimitives.WriteUInt16BigEndian(address.Buffer.Span[2..], etherType);
            BinaryPrimitives.WriteInt32LittleEndian(address.Buffer.Span[4..], index);
            return address;
        }

        public override EndPoint Create(SocketAddress socketAddress) => this;
    }
}
