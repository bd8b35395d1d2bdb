using System.Collections.Frozen;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace IronLb.Speaker.Membership;

/// <summary>
/// Drives one MembershipProtocol over UDP: a receive loop and a tick loop (every Interval / 4, so the send
/// phase and the view stay within a quarter interval of the ideal). The protocol is not thread-safe, so both
/// loops take one lock; each holds it for microseconds. Every datagram first passes the DatagramGate (known
/// source, size, rate) and is decoded and MAC-checked outside the lock, so a flood of forged datagrams costs
/// a dictionary lookup each and never delays the tick.
/// </summary>
internal sealed class MembershipLoop(
    MembershipProtocol protocol,
    UdpMembershipTransport transport,
    MembershipOptions options,
    TimeProvider time,
    ILogger logger,
    MembershipCounters? counters = null,
    DatagramGateOptions? limits = null)
{
    private readonly Lock _gate = new();
    private readonly DatagramGate _datagrams = new(limits ?? new DatagramGateOptions(), time);
    private readonly MembershipCounters _counters = counters ?? new MembershipCounters();
    private readonly RefusalLog _refusals = new(logger, time);
    private FrozenDictionary<string, IPEndPoint> _endpoints = FrozenDictionary<string, IPEndPoint>.Empty;

    /// <summary>Accepted and refused datagrams by reason.</summary>
    public MembershipCounters Counters => _counters;

    /// <summary>
    /// Runs after every tick, on the tick loop: the proof that the loop is alive (it moves the answer deadline
    /// forward and feeds /healthz). A frozen or hung loop stops calling it, and that is the point.
    /// </summary>
    public Action? Ticked { get; set; }

    /// <summary>Runs once the ticks have stopped, before the goodbye: the last moment to stop answering.</summary>
    public Action? Leaving { get; set; }

    /// <summary>Peers by node name with their advertised heartbeat endpoints (from discovery).</summary>
    public void SetPeers(IReadOnlyDictionary<string, IPEndPoint> peers)
    {
        ArgumentNullException.ThrowIfNull(peers);
        _endpoints = peers.ToFrozenDictionary(StringComparer.Ordinal);
        _datagrams.SetSources(peers.Values.Select(e => e.Address), LongestHeartbeat(peers.Count));
        lock (_gate)
        {
            protocol.SetPeers(peers.Keys);
        }
    }

    public void SetReadyNodes(IEnumerable<string>? ready)
    {
        lock (_gate)
        {
            protocol.SetReadyNodes(ready);
        }
    }

    /// <summary>Runs until cancelled, then says goodbye so the peers drop this node at once.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        protocol.ViewChanged += (_, view) =>
        {
            // Why each known speaker is out (Left = goodbye, NotHeardByMajority = crash or cut) is what an operator asks first.
            var excluded = view.Excluded.Count == 0 ? "none" : string.Join(", ", view.Excluded.Select(e => $"{e.Key} {e.Value}"));
            MembershipLog.ViewChanged(logger, protocol.Self, view.Live, view.Mode, excluded);
        };
        lock (_gate)
        {
            protocol.Start();
        }

        var receiving = DatagramReceiver.RunAsync(transport, Receive, _counters, _refusals, cancellationToken);
        using (var timer = new PeriodicTimer(options.Interval / 4, time))
        {
            try
            {
                do
                {
                    IReadOnlyList<OutgoingMessage> outgoing;
                    lock (_gate)
                    {
                        outgoing = protocol.Tick();
                    }

                    Ticked?.Invoke();
                    await SendAsync(outgoing, CancellationToken.None).ConfigureAwait(false);
                    _refusals.Flush();
                }
                while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
        }

        // The peers take this node's addresses over as soon as the goodbye arrives: no answer may follow it.
        Leaving?.Invoke();
        IReadOnlyList<OutgoingMessage> goodbye;
        lock (_gate)
        {
            goodbye = protocol.Leave();
        }

        await SendAsync(goodbye, CancellationToken.None).ConfigureAwait(false);
        await receiving.ConfigureAwait(false);
    }

    private ReceiveOutcome Receive(ReadOnlySpan<byte> datagram, IPEndPoint from)
    {
        var outcome = _datagrams.Check(from.Address, datagram.Length);
        if (outcome != ReceiveOutcome.Accepted)
        {
            return outcome;
        }

        // The HMAC runs here, outside the lock: a burst of forged datagrams from a peer's address never holds up the tick.
        outcome = protocol.Decode(datagram, out var message);
        if (outcome != ReceiveOutcome.Accepted)
        {
            return outcome;
        }

        lock (_gate)
        {
            return protocol.Receive(message!);
        }
    }

    /// <summary>
    /// The longest v1 heartbeat a peer can send when this many speakers are known: every name at its maximum,
    /// with room for twice as many names plus 16, because a peer's discovery may be ahead of ours.
    /// </summary>
    internal static int LongestHeartbeat(int speakers)
    {
        var names = (2L * speakers) + 16;
        var longest = MembershipCodec.HeaderLength + 1 + MembershipCodec.MaxNameLength + 2
            + (names * (1 + MembershipCodec.MaxNameLength)) + MembershipKey.MacLength;
        return (int)Math.Min(longest, MembershipCodec.MaxDatagram);
    }

    private async Task SendAsync(IReadOnlyList<OutgoingMessage> outgoing, CancellationToken cancellationToken)
    {
        var endpoints = _endpoints;
        foreach (var message in outgoing)
        {
            if (!endpoints.TryGetValue(message.Destination, out var to))
            {
                continue;
            }

            try
            {
                await transport.SendAsync(message.Payload, to, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                // A lost heartbeat is what the protocol is built to survive; never let one peer stop the others.
                MembershipLog.SendFailed(logger, message.Destination, e.SocketErrorCode);
            }
        }
    }
}
