using IronLb.Core.Announcement;

namespace IronLb.Membership.Simulation;

/// <summary>
/// Who answers for one address: the Layer 2 election's order (Core's sha256("node#ip"), lowest first) over
/// each node's own live set. A node claims the address when it is answering and is the first node of the
/// order in its live set. Counting claimants incrementally keeps the check per event O(1) on average.
/// </summary>
public sealed class AddressOwnership
{
    private readonly ScaleSimulation _sim;
    private readonly int[] _order;
    private readonly bool[] _claims;

    public AddressOwnership(ScaleSimulation sim, string address)
    {
        ArgumentNullException.ThrowIfNull(sim);
        _sim = sim;
        Address = address;
        _order = [.. Enumerable.Range(0, sim.Size).OrderBy(i => L2Election.Hash(sim.Names[i], address), ByteOrder.Instance)];
        _claims = new bool[sim.Size];
    }

    public string Address { get; }

    /// <summary>The owner when every node is live.</summary>
    public int FirstChoice => _order[0];

    /// <summary>Nodes that are up or frozen and claim the address, as of their last event (or the last <see cref="RefreshAll"/>).</summary>
    public int Claimants { get; private set; }

    /// <summary>An address whose owner among all nodes is <paramref name="node"/>: the first of 2001:db8::N that it wins.</summary>
    public static AddressOwnership OwnedBy(ScaleSimulation sim, int node)
    {
        ArgumentNullException.ThrowIfNull(sim);
        var name = sim.Names[node];
        for (var n = 1; ; n++)
        {
            var address = $"2001:db8::{n:x}";
            var hash = L2Election.Hash(name, address);
            if (Enumerable.Range(0, sim.Size).All(i => i == node || ByteOrder.Instance.Compare(hash, L2Election.Hash(sim.Names[i], address)) < 0))
            {
                return new AddressOwnership(sim, address);
            }
        }
    }

    public bool Claims(int node) => _claims[node];

    /// <summary>Re-reads every node (after a crash or a restart the simulator raises no event for).</summary>
    public void RefreshAll()
    {
        for (var i = 0; i < _sim.Size; i++)
        {
            Refresh(i);
        }
    }

    /// <summary>Re-reads one node's claim: call it from <see cref="ScaleSimulation.NodeStepped"/>.</summary>
    public void Refresh(int node)
    {
        var now = Decide(node);
        if (now != _claims[node])
        {
            _claims[node] = now;
            Claimants += now ? 1 : -1;
        }
    }

    private bool Decide(int node)
    {
        // A frozen node keeps its last state: its in-kernel replies would go on (the pessimistic reading).
        if (_sim.Node(node) is not { Answering: true } instance)
        {
            return false;
        }

        var live = instance.Live;
        foreach (var candidate in _order)
        {
            if (live.Contains(_sim.Names[candidate]))
            {
                return candidate == node;
            }
        }

        return false;
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static ByteOrder Instance { get; } = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
