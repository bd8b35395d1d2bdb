namespace IronLb.Membership.Simulation;

/// <summary>
/// A datagram network between numbered nodes on simulated time: a delay of MinDelay plus a uniform jitter,
/// random loss on every link, per-link overrides (one-way: the link from A to B is not the link from B to A),
/// one-way blocks and partitions, and exact per-node counters. Deterministic for a given Random.
/// Deliveries wait in one priority queue ordered by due time, then by send order.
/// </summary>
public sealed class SimulatedNetwork
{
    private readonly Random _random;
    private readonly PriorityQueue<Delivery, DueAt> _inFlight = new();
    private readonly HashSet<long> _blocked = [];
    private readonly Dictionary<long, LinkProfile> _links = [];
    private readonly int[] _group;
    private readonly NodeTraffic[] _traffic;
    private long _order;

    public SimulatedNetwork(int size, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        _random = random;
        _group = new int[size];
        _traffic = new NodeTraffic[size];
    }

    /// <summary>Probability that any datagram is lost, on every link (a link's own loss comes on top).</summary>
    public double Loss { get; set; }

    public TimeSpan MinDelay { get; set; } = TimeSpan.FromMilliseconds(1);

    public TimeSpan Jitter { get; set; } = TimeSpan.FromMilliseconds(2);

    public int Size => _group.Length;

    public int InFlight => _inFlight.Count;

    /// <summary>Overrides delay and adds loss on the link from one node to another only.</summary>
    public void SetLink(int from, int to, LinkProfile profile) => _links[Key(from, to)] = profile;

    public void ClearLink(int from, int to) => _links.Remove(Key(from, to));

    /// <summary>Nothing from <paramref name="from"/> reaches <paramref name="to"/>; the other direction is untouched.</summary>
    public void Block(int from, int to) => _blocked.Add(Key(from, to));

    public void Unblock(int from, int to) => _blocked.Remove(Key(from, to));

    /// <summary>Nodes in different groups cannot reach each other; nodes in no group are in group 0 with the first.</summary>
    public void Partition(params IEnumerable<int>[] groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        Array.Clear(_group);
        for (var g = 0; g < groups.Length; g++)
        {
            foreach (var node in groups[g])
            {
                _group[node] = g;
            }
        }
    }

    /// <summary>Removes blocks, partitions, link overrides and loss.</summary>
    public void Heal()
    {
        _blocked.Clear();
        _links.Clear();
        Array.Clear(_group);
        Loss = 0;
    }

    public bool CanReach(int from, int to) => _group[from] == _group[to] && (_blocked.Count == 0 || !_blocked.Contains(Key(from, to)));

    public NodeTraffic Traffic(int node) => _traffic[node];

    public void ResetCounters() => Array.Clear(_traffic);

    /// <summary>Counts the datagram as sent by <paramref name="from"/>, then loses it or queues it for delivery.</summary>
    public void Send(long nowTicks, int from, int to, ReadOnlyMemory<byte> payload)
    {
        ref var sender = ref _traffic[from];
        sender.SentDatagrams++;
        sender.SentBytes += payload.Length;

        var minDelay = MinDelay;
        var jitter = Jitter;
        var loss = Loss;
        if (_links.Count > 0 && _links.TryGetValue(Key(from, to), out var link))
        {
            minDelay = link.MinDelay ?? minDelay;
            jitter = link.Jitter ?? jitter;
            loss = 1 - ((1 - loss) * (1 - link.Loss));
        }

        if (!CanReach(from, to) || (loss > 0 && _random.NextDouble() < loss))
        {
            _traffic[to].Lost++;
            return;
        }

        var at = nowTicks + minDelay.Ticks + (long)(_random.NextDouble() * jitter.Ticks);
        _inFlight.Enqueue(new Delivery(from, to, payload), new DueAt(at, _order++));
    }

    /// <summary>The due time of the next delivery, if any.</summary>
    public bool TryPeekDue(out long atTicks)
    {
        if (_inFlight.TryPeek(out _, out var due))
        {
            atTicks = due.At;
            return true;
        }

        atTicks = 0;
        return false;
    }

    /// <summary>Takes the next delivery and counts it as received (the receiver may still be down: see Lost).</summary>
    public Delivery Take()
    {
        var delivery = _inFlight.Dequeue();
        ref var receiver = ref _traffic[delivery.To];
        receiver.ReceivedDatagrams++;
        receiver.ReceivedBytes += delivery.Payload.Length;
        return delivery;
    }

    /// <summary>A delivery that reached a node which could not take it (crashed, or a frozen node's buffer full).</summary>
    public void Discard(Delivery delivery)
    {
        ref var receiver = ref _traffic[delivery.To];
        receiver.ReceivedDatagrams--;
        receiver.ReceivedBytes -= delivery.Payload.Length;
        receiver.Lost++;
    }

    private static long Key(int from, int to) => ((long)from << 32) | (uint)to;

    private readonly record struct DueAt(long At, long Order) : IComparable<DueAt>
    {
        public int CompareTo(DueAt other) => At != other.At ? At.CompareTo(other.At) : Order.CompareTo(other.Order);
    }
}

/// <summary>One link's own behaviour: extra loss, and a delay replacing the network's when set.</summary>
public sealed record LinkProfile(double Loss = 0, TimeSpan? MinDelay = null, TimeSpan? Jitter = null);

/// <summary>One datagram on its way.</summary>
public readonly record struct Delivery(int From, int To, ReadOnlyMemory<byte> Payload);

/// <summary>
/// What one node sent and received (UDP payload bytes; on the wire add 46 bytes per datagram for Ethernet,
/// IPv4 and UDP headers), and how many datagrams meant for it were lost on the way or at a dead receiver.
/// </summary>
public record struct NodeTraffic(long SentDatagrams, long SentBytes, long ReceivedDatagrams, long ReceivedBytes, long Lost);
