using IronLb.Bgp.Session;
using IronLb.Bgp.Wire;

namespace IronLb.Bgp.Tests.Session;

/// <summary>
/// Two machines wired to each other on fake time: a discrete-event loop that performs their actions. Messages go
/// through the real encoder and decoder with a fixed latency; a dial succeeds when both sides are dialling (one
/// TCP connection, as with a simultaneous open), otherwise it stays pending until the other dials or the
/// connect-retry timer abandons it. Each machine is ticked exactly at its earliest deadline, so a timer fires at
/// the deadline it was armed for and not a moment later.
/// </summary>
internal sealed class FakePeering
{
    private readonly PriorityQueue<(int Side, BgpEvent Event, int Epoch), (TimeSpan, long)> _queue = new();
    private readonly HashSet<TimeSpan>[] _ticks = [[], []];
    private readonly bool[] _dialing = new bool[2];
    private long _sequence;
    private bool _connected;

    /// <summary>Connection number: anything in flight from an older connection is dropped on arrival.</summary>
    private int _epoch;

    public FakePeering(BgpSessionConfig a, BgpSessionConfig b, TimeSpan latency)
    {
        States = [BgpSessionState.Initial(a), BgpSessionState.Initial(b)];
        Latency = latency;
    }

    public BgpSessionState[] States { get; }

    public TimeSpan Latency { get; }

    /// <summary>A side whose sends are lost from now on (a peer that went silent but kept its TCP connection).</summary>
    public bool[] Muted { get; } = new bool[2];

    /// <summary>When each side last received a message.</summary>
    public TimeSpan?[] LastReceived { get; } = new TimeSpan?[2];

    /// <summary>Every action either side took, with its time.</summary>
    public List<(TimeSpan At, int Side, BgpAction Action)> Log { get; } = [];

    public TimeSpan Now { get; private set; }

    public void Post(int side, BgpEvent @event) => Post(side, @event, _epoch);

    public void RunUntil(TimeSpan end)
    {
        var budget = 1_000_000;
        while (_queue.TryPeek(out _, out var priority) && priority.Item1 <= end)
        {
            // A machine that re-arms a deadline it did not fire would tick forever at one instant.
            Assert.True(--budget > 0, $"no progress at {priority.Item1}");

            var (side, @event, epoch) = _queue.Dequeue();
            var fromConnection = @event is MessageReceivedEvent or DecodeFailedEvent or TcpClosedEvent;
            if (fromConnection && epoch != _epoch)
            {
                continue;
            }

            Handle(side, @event);
        }

        Now = end;
    }

    private void Post(int side, BgpEvent @event, int epoch) => _queue.Enqueue((side, @event, epoch), (@event.Now, _sequence++));

    private void Handle(int side, BgpEvent @event)
    {
        Now = @event.Now;
        if (@event is TickEvent)
        {
            _ticks[side].Remove(@event.Now);
        }

        if (@event is MessageReceivedEvent or DecodeFailedEvent)
        {
            LastReceived[side] = @event.Now;
        }

        var transition = BgpSession.Handle(States[side], @event);
        States[side] = transition.State;
        foreach (var action in transition.Actions)
        {
            Log.Add((Now, side, action));
            Perform(side, action);
        }

        if (States[side].NextDeadline is { } deadline && _ticks[side].Add(deadline))
        {
            Post(side, new TickEvent(deadline));
        }
    }

    private void Perform(int side, BgpAction action)
    {
        var other = 1 - side;
        switch (action)
        {
            case ConnectAction:
                _dialing[side] = true;
                if (_dialing[other] && !_connected)
                {
                    _connected = true;
                    _epoch++;
                    _dialing[0] = _dialing[1] = false;
                    Post(side, new TcpConnectedEvent(Now));
                    Post(other, new TcpConnectedEvent(Now));
                }

                break;
            case CloseAction:
                _dialing[side] = false;
                if (_connected && States[side].State == BgpState.Idle)
                {
                    _connected = false;
                    Post(other, new TcpClosedEvent(Now + Latency), _epoch);
                }

                break;
            case SendAction send when _connected && !Muted[side]:
                var bytes = BgpCodec.Encode(send.Message, States[side].FourOctetAs);
                var result = BgpCodec.TryDecode(bytes, States[other].DecodeContext);
                var at = Now + Latency;
                Post(other, result.IsAccepted ? new MessageReceivedEvent(at, result.Message!) : new DecodeFailedEvent(at, result, send.Message.Type));
                break;
            default:
                break;
        }
    }
}
