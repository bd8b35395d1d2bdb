using System.Collections.Immutable;
using Microsoft.Extensions.Time.Testing;

namespace IronLb.Membership.Simulation;

/// <summary>
/// N nodes of one protocol on one FakeTimeProvider and one <see cref="SimulatedNetwork"/>. The run is a
/// discrete-event loop: the next event is either a delivery or a node's tick (each node at its own phase,
/// every <see cref="ProtocolFactory.TickPeriod"/>), time jumps straight to it, and nothing is done between
/// events, so idle time costs nothing. Deterministic for a given seed. Not thread-safe.
/// </summary>
public sealed class ScaleSimulation
{
    /// <summary>What a frozen node's socket buffers before it drops (about 200 KB of small datagrams).</summary>
    public const int FrozenBufferLimit = 2048;

    private readonly ProtocolFactory _protocol;
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly IMembershipUnderTest?[] _nodes;
    private readonly NodeStatus[] _status;
    private readonly int[] _generation;
    private readonly List<Delivery>[] _frozenInbox;
    private readonly PriorityQueue<(int Node, int Generation), (long At, int Node)> _ticks = new();
    private readonly long _period;

    public ScaleSimulation(ProtocolFactory protocol, int size, int seed, double clockSpreadPpm = 0)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        _protocol = protocol;
        _period = protocol.TickPeriod.Ticks;
        Random = new Random(seed);
        Names = [.. Enumerable.Range(0, size).Select(i => $"node-{i:D3}")];
        Network = new SimulatedNetwork(size, Random);
        _nodes = new IMembershipUnderTest?[size];
        _status = new NodeStatus[size];
        _generation = new int[size];
        _frozenInbox = new List<Delivery>[size];
        Clocks = [.. Names.Select(_ => new NodeClock(Time))];
        for (var i = 0; i < size; i++)
        {
            _index[Names[i]] = i;
            _frozenInbox[i] = [];
            Clocks[i].RatePpm = clockSpreadPpm == 0 ? 0 : ((Random.NextDouble() * 2) - 1) * clockSpreadPpm;
        }

    }

    /// <summary>Raised after a node ticked or received a datagram (its view may have changed): the observers' hook.</summary>
    public event Action<int>? NodeStepped;

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    public Random Random { get; }

    public SimulatedNetwork Network { get; }

    public ImmutableArray<string> Names { get; }

    public ImmutableArray<NodeClock> Clocks { get; }

    public int Size => Names.Length;

    /// <summary>Simulated time since the simulation was created.</summary>
    public TimeSpan Now => TimeSpan.FromTicks(NowTicks);

    /// <summary>Simulated time in ticks; kept here because reading FakeTimeProvider takes a lock, and Run is the only thing that advances it.</summary>
    public long NowTicks { get; private set; }

    public int Index(string name) => _index[name];

    public NodeStatus Status(int node) => _status[node];

    /// <summary>The node's protocol instance while it is up or frozen; null when down.</summary>
    public IMembershipUnderTest? Node(int node) => _nodes[node];

    public IEnumerable<int> Running => Enumerable.Range(0, Size).Where(i => _status[i] == NodeStatus.Up);

    /// <summary>Starts every node, each at a random phase within one tick period.</summary>
    public void StartAll()
    {
        for (var i = 0; i < Size; i++)
        {
            Start(i, TimeSpan.FromTicks((long)(Random.NextDouble() * _period)));
        }
    }

    /// <summary>Starts (or restarts, as a new instance) a node after <paramref name="delay"/>; its first tick comes then.</summary>
    public void Start(int node, TimeSpan delay = default)
    {
        _generation[node]++; // a restart without a crash: the old instance's pending tick must not fire
        var instance = _protocol.Create(new NodeSetup(Names[node], Names, Clocks[node], (ulong)Random.NextInt64()));
        instance.Start();
        _nodes[node] = instance;
        _status[node] = NodeStatus.Up;
        _frozenInbox[node].Clear();
        Schedule(node, NowTicks + delay.Ticks);
    }

    /// <summary>The process dies: no more ticks, datagrams to it are lost.</summary>
    public void Crash(int node)
    {
        _nodes[node] = null;
        _status[node] = NodeStatus.Down;
        _generation[node]++;
        _frozenInbox[node].Clear();
    }

    /// <summary>The process stops (SIGSTOP, a paused VM): no ticks; datagrams wait in its socket buffer.</summary>
    public void Freeze(int node)
    {
        if (_status[node] != NodeStatus.Up)
        {
            return;
        }

        _status[node] = NodeStatus.Frozen;
        _generation[node]++;
    }

    /// <summary>The process continues: it reads what its socket buffered, then ticks again at once.</summary>
    public void Thaw(int node)
    {
        if (_status[node] != NodeStatus.Frozen)
        {
            return;
        }

        _status[node] = NodeStatus.Up;
        var inbox = _frozenInbox[node].ToArray();
        _frozenInbox[node].Clear();
        foreach (var delivery in inbox)
        {
            Deliver(delivery);
        }

        Schedule(node, NowTicks);
    }

    /// <summary>Runs for <paramref name="duration"/> of simulated time, or until <paramref name="until"/> holds after an event.</summary>
    public void Run(TimeSpan duration, Func<bool>? until = null)
    {
        var end = NowTicks + duration.Ticks;
        while (true)
        {
            var hasDelivery = Network.TryPeekDue(out var deliveryAt);
            var hasTick = _ticks.TryPeek(out _, out var tickKey);
            if (!hasDelivery && !hasTick)
            {
                break;
            }

            // Deliveries first at equal times: a datagram due now is read before the node's tick.
            var deliveryFirst = hasDelivery && (!hasTick || deliveryAt <= tickKey.At);
            var at = deliveryFirst ? deliveryAt : tickKey.At;
            if (at > end)
            {
                break;
            }

            AdvanceTo(at);
            if (deliveryFirst)
            {
                Deliver(Network.Take());
            }
            else
            {
                TickNext();
            }

            if (until?.Invoke() == true)
            {
                return;
            }
        }

        AdvanceTo(end);
    }

    private void TickNext()
    {
        var (node, generation) = _ticks.Dequeue();
        if (generation != _generation[node] || _nodes[node] is not { } instance)
        {
            return; // scheduled for an instance that has since crashed, frozen or restarted
        }

        var outgoing = instance.Tick();
        for (var i = 0; i < outgoing.Count; i++)
        {
            if (_index.TryGetValue(outgoing[i].To, out var to))
            {
                Network.Send(NowTicks, node, to, outgoing[i].Payload);
            }
        }

        Schedule(node, NowTicks + _period);
        NodeStepped?.Invoke(node);
    }

    private void Deliver(Delivery delivery)
    {
        switch (_status[delivery.To])
        {
            case NodeStatus.Up:
                _nodes[delivery.To]!.Receive(Names[delivery.From], delivery.Payload.Span);
                NodeStepped?.Invoke(delivery.To);
                break;
            case NodeStatus.Frozen when _frozenInbox[delivery.To].Count < FrozenBufferLimit:
                _frozenInbox[delivery.To].Add(delivery);
                break;
            default:
                Network.Discard(delivery);
                break;
        }
    }

    private void Schedule(int node, long atTicks) => _ticks.Enqueue((node, _generation[node]), (atTicks, node));

    private void AdvanceTo(long atTicks)
    {
        var delta = atTicks - NowTicks;
        if (delta > 0)
        {
            Time.Advance(TimeSpan.FromTicks(delta));
            NowTicks = atTicks;
        }
    }
}

/// <summary>Whether a node's process runs.</summary>
public enum NodeStatus
{
    Down,
    Up,
    Frozen,
}
