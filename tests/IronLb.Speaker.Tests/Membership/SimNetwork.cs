namespace IronLb.Speaker.Tests.Membership;

/// <summary>
/// An in-process datagram network on fake time: per-link one-way blocks, partitions (groups that cannot
/// reach each other), random loss and small random delays. Deterministic for a given seed.
/// </summary>
internal sealed class SimNetwork(Random random)
{
    private readonly PriorityQueue<(string From, string To, byte[] Payload), (TimeSpan At, long Order)> _inFlight = new();
    private readonly HashSet<(string From, string To)> _blocked = [];
    private readonly Dictionary<string, int> _partition = new(StringComparer.Ordinal);
    private long _order;

    public double Loss { get; set; }

    public TimeSpan MinDelay { get; set; } = TimeSpan.FromMilliseconds(1);

    public TimeSpan Jitter { get; set; } = TimeSpan.FromMilliseconds(2);

    public void Block(string from, string to) => _blocked.Add((from, to));

    public void Unblock(string from, string to) => _blocked.Remove((from, to));

    /// <summary>Nodes in different groups cannot reach each other; nodes without a group reach group 0.</summary>
    public void Partition(params IEnumerable<string>[] groups)
    {
        _partition.Clear();
        for (var g = 0; g < groups.Length; g++)
        {
            foreach (var node in groups[g])
            {
                _partition[node] = g;
            }
        }
    }

    public void Heal()
    {
        _blocked.Clear();
        _partition.Clear();
        Loss = 0;
    }

    public bool CanReach(string from, string to) =>
        !_blocked.Contains((from, to)) && Group(from) == Group(to);

    public void Send(TimeSpan now, string from, string to, byte[] payload)
    {
        if (!CanReach(from, to) || (Loss > 0 && random.NextDouble() < Loss))
        {
            return;
        }

        var delay = MinDelay + TimeSpan.FromTicks((long)(random.NextDouble() * Jitter.Ticks));
        _inFlight.Enqueue((from, to, payload), (now + delay, _order++));
    }

    public IEnumerable<(string From, string To, byte[] Payload)> DeliverDue(TimeSpan now)
    {
        while (_inFlight.TryPeek(out var message, out var key) && key.At <= now)
        {
            _inFlight.Dequeue();
            yield return message;
        }
    }

    private int Group(string node) => _partition.TryGetValue(node, out var g) ? g : 0;
}
