namespace IronLb.Speaker.Tests.Membership.Ring;

/// <summary>
/// The simulated LAN between ring nodes: a global loss rate, per-link (one-way) loss and blocks, partitions into
/// groups, and 1–3 ms delivery. Deterministic for a seed. Datagrams are queued by delivery time.
/// </summary>
internal sealed class SimLinks(Random random)
{
    private readonly PriorityQueue<(int From, int To, byte[] Payload), (TimeSpan At, long Order)> _inFlight = new();
    private readonly Dictionary<(int From, int To), double> _linkLoss = [];
    private readonly Dictionary<(int From, int To), long> _sent = [];
    private int[] _group = [];
    private long _order;

    public double Loss { get; set; }

    public TimeSpan MinDelay { get; set; } = TimeSpan.FromMilliseconds(1);

    public TimeSpan Jitter { get; set; } = TimeSpan.FromMilliseconds(2);

    public int InFlight => _inFlight.Count;

    /// <summary>Datagrams sent from one node to another so far, delivered or not.</summary>
    public long SentOn(int from, int to) => _sent.GetValueOrDefault((from, to));

    /// <summary>Loss on one direction of one link: 1.0 blocks it.</summary>
    public void SetLinkLoss(int from, int to, double loss) => _linkLoss[(from, to)] = loss;

    /// <summary>Blocks everything to and from <paramref name="node"/> (its membership traffic only: a heartbeat-only cut).</summary>
    public void Isolate(int node, int nodes)
    {
        for (var other = 0; other < nodes; other++)
        {
            if (other != node)
            {
                SetLinkLoss(node, other, 1);
                SetLinkLoss(other, node, 1);
            }
        }
    }

    public void Partition(int nodes, IEnumerable<int> minority)
    {
        _group = new int[nodes];
        foreach (var node in minority)
        {
            _group[node] = 1;
        }
    }

    public void Heal()
    {
        _linkLoss.Clear();
        _group = [];
        Loss = 0;
    }

    public void Send(TimeSpan now, int from, int to, byte[] payload)
    {
        _sent[(from, to)] = SentOn(from, to) + 1;
        if (_group.Length > 0 && _group[from] != _group[to])
        {
            return;
        }

        var loss = Loss;
        if (_linkLoss.TryGetValue((from, to), out var link))
        {
            loss = Math.Max(loss, link);
        }

        if (loss > 0 && random.NextDouble() < loss)
        {
            return;
        }

        var delay = MinDelay + TimeSpan.FromTicks((long)(random.NextDouble() * Jitter.Ticks));
        _inFlight.Enqueue((from, to, payload), (now + delay, _order++));
    }

    public IEnumerable<(int From, int To, byte[] Payload)> DeliverDue(TimeSpan now)
    {
        while (_inFlight.TryPeek(out var message, out var key) && key.At <= now)
        {
            _inFlight.Dequeue();
            yield return message;
        }
    }
}
