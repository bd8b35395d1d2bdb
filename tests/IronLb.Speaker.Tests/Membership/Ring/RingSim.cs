using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using IronLb.Speaker.Membership;
using IronLb.Speaker.Membership.Ring;

namespace IronLb.Speaker.Tests.Membership.Ring;

internal enum SimNodeState
{
    Running,
    Crashed,
    Frozen,
}

/// <summary>
/// Many ring nodes on fake time, each with its own clock (rate and wall steps), over <see cref="SimLinks"/>.
/// Every step delivers what is due, ticks every running node, and checks the invariant: no address has two owners
/// that are both answering, where a node owns an address when the rendezvous hash max(sha256(node#address)) over
/// its own election set picks it. Frozen nodes neither tick nor read; their datagrams wait in a backlog.
/// </summary>
internal sealed class RingSim
{
    public static readonly MembershipKey Key = MembershipKey.Create([.. Enumerable.Repeat((byte)42, 32)], insecure: false);

    private readonly Random _random;
    private readonly RingOptions _options;
    private readonly MembershipKey _key;
    private readonly ulong[][] _scores;
    private readonly Dictionary<string, int> _index;
    private readonly List<(int From, byte[] Payload)>[] _backlog;
    private readonly (ImmutableArray<string> Set, int[] Owned)[] _ownedCache;
    private readonly ulong[] _incarnations;
    private readonly int[] _lastOwner;

    public RingSim(int nodes, int addresses, int seed, RingOptions? options = null, MembershipKey? key = null, double maxRatePpm = 200)
    {
        _random = new Random(seed);
        _options = options ?? new RingOptions();
        _key = key ?? Key;
        Names = [.. Enumerable.Range(0, nodes).Select(i => $"node-{i:D3}")];
        _index = Names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
        Addresses = [.. Enumerable.Range(0, addresses).Select(a => $"198.51.100.{a % 250}/{a / 250}")];
        _scores = [.. Addresses.Select(a => Names.Select(n => Score(n, a)).ToArray())];
        Links = new SimLinks(new Random(seed + 1));
        Clocks = [.. Names.Select(_ => new SimClock(() => Now, ((_random.NextDouble() * 2) - 1) * maxRatePpm, TimeSpan.FromSeconds(_random.Next(1, 100_000))))];
        States = new SimNodeState[nodes];
        Nodes = new RingMembership[nodes];
        _backlog = [.. Names.Select(_ => new List<(int, byte[])>())];
        _ownedCache = new (ImmutableArray<string>, int[])[nodes];
        _incarnations = new ulong[nodes];
        _lastOwner = [.. Enumerable.Repeat(-1, addresses)];
        for (var i = 0; i < nodes; i++)
        {
            Nodes[i] = NewNode(i);
        }
    }

    public TimeSpan Now { get; private set; }

    public ImmutableArray<string> Names { get; }

    public ImmutableArray<string> Addresses { get; }

    public SimLinks Links { get; }

    public SimClock[] Clocks { get; }

    public SimNodeState[] States { get; }

    public RingMembership[] Nodes { get; }

    /// <summary>Invariant breaches: (time, address, the answering owners).</summary>
    public List<(TimeSpan At, string Address, string Owners)> Violations { get; } = [];

    /// <summary>How often an address's answering owner changed (to another node or to nobody) while counting.</summary>
    public int OwnershipChanges { get; private set; }

    public bool CountChanges { get; set; }

    public void StartAll()
    {
        for (var i = 0; i < Nodes.Length; i++)
        {
            Nodes[i].Start(++_incarnations[i]);
        }
    }

    /// <summary>A new process: fresh state, a higher incarnation, the same member list.</summary>
    public void Restart(int node)
    {
        // A real speaker would take its incarnation from a counter that outlives it; the node may have moved on itself.
        _incarnations[node] = Math.Max(_incarnations[node], Nodes[node].Incarnation) + 1;
        Nodes[node] = NewNode(node);
        Nodes[node].Start(_incarnations[node]);
        States[node] = SimNodeState.Running;
        _backlog[node].Clear();
    }

    public void Crash(int node) => States[node] = SimNodeState.Crashed;

    public void Freeze(int node) => States[node] = SimNodeState.Frozen;

    /// <summary>Resumes a frozen node: it first reads what queued up in its socket, then ticks with the others.</summary>
    public void Resume(int node)
    {
        States[node] = SimNodeState.Running;
        foreach (var (from, payload) in _backlog[node])
        {
            Nodes[node].Receive(Names[from], payload);
        }

        _backlog[node].Clear();
    }

    public void Run(TimeSpan duration, TimeSpan? step = null, Func<bool>? until = null)
    {
        var end = Now + duration;
        var dt = step ?? TimeSpan.FromMilliseconds(10);
        while (Now < end)
        {
            Step(dt);
            if (until is not null && until())
            {
                return;
            }
        }
    }

    public void Step(TimeSpan dt)
    {
        Now += dt;
        foreach (var (from, to, payload) in Links.DeliverDue(Now))
        {
            switch (States[to])
            {
                case SimNodeState.Running:
                    Nodes[to].Receive(Names[from], payload);
                    break;
                case SimNodeState.Frozen when _backlog[to].Count < 2000:
                    _backlog[to].Add((from, payload));
                    break;
            }
        }

        for (var i = 0; i < Nodes.Length; i++)
        {
            if (States[i] != SimNodeState.Running)
            {
                continue;
            }

            foreach (var datagram in Nodes[i].Tick())
            {
                Links.Send(Now, i, _index[datagram.To], datagram.Payload);
            }
        }

        CheckInvariant();
    }

    /// <summary>The node answering for <paramref name="address"/> (-1: nobody); the invariant check has already refused two.</summary>
    public int AnsweringOwner(int address) => _lastOwner[address];

    public bool IsAnswering(int node) => States[node] == SimNodeState.Running ? Nodes[node].Answering : KernelDeadlineLive(node);

    /// <summary>Every address answered by exactly one node, among the nodes given.</summary>
    public bool Settled(IEnumerable<int> among)
    {
        var set = among.ToHashSet();
        return Enumerable.Range(0, Addresses.Length).All(a => _lastOwner[a] >= 0 && set.Contains(_lastOwner[a]));
    }

    public int IndexOf(string name) => _index[name];

    public (long Datagrams, long Bytes) Sent(int node) => (Nodes[node].SentDatagrams, Nodes[node].SentBytes);

    public int[] Owned(int node)
    {
        var set = Nodes[node].ElectionSet;
        var cached = _ownedCache[node];
        if (cached.Owned is not null && cached.Set == set)
        {
            return cached.Owned;
        }

        var members = set.Select(n => _index[n]).ToArray();
        var owned = new List<int>();
        for (var a = 0; a < Addresses.Length; a++)
        {
            var best = -1;
            foreach (var m in members)
            {
                if (best < 0 || _scores[a][m] > _scores[a][best])
                {
                    best = m;
                }
            }

            if (best == node)
            {
                owned.Add(a);
            }
        }

        _ownedCache[node] = (set, owned.ToArray());
        return _ownedCache[node].Owned;
    }

    /// <summary>Who <paramref name="node"/>'s own election set elects for <paramref name="address"/> (-1: an empty set).</summary>
    public int ElectedBy(int node, int address)
    {
        var best = -1;
        foreach (var name in Nodes[node].ElectionSet)
        {
            var m = _index[name];
            if (best < 0 || _scores[address][m] > _scores[address][best])
            {
                best = m;
            }
        }

        return best;
    }

    private void CheckInvariant()
    {
        Span<int> owner = Addresses.Length <= 1024 ? stackalloc int[Addresses.Length] : new int[Addresses.Length];
        owner.Fill(-1);
        for (var node = 0; node < Nodes.Length; node++)
        {
            if (!IsAnswering(node))
            {
                continue;
            }

            foreach (var a in Owned(node))
            {
                if (owner[a] >= 0)
                {
                    Violations.Add((Now, Addresses[a], $"{Names[owner[a]]},{Names[node]}"));
                }

                owner[a] = node;
            }
        }

        for (var a = 0; a < owner.Length; a++)
        {
            if (CountChanges && owner[a] != _lastOwner[a])
            {
                OwnershipChanges++;
            }

            _lastOwner[a] = owner[a];
        }
    }

    /// <summary>A crashed process answers nothing; a frozen one only until its in-kernel deadline passes.</summary>
    private bool KernelDeadlineLive(int node) =>
        States[node] == SimNodeState.Frozen && Nodes[node].AnswerDeadline is { } deadline && Clocks[node].GetTimestamp() < deadline;

    private RingMembership NewNode(int i)
    {
        var node = new RingMembership(Names[i], _options, _key, Clocks[i], new Random(_random.Next()));
        node.SetMembers(Names);
        return node;
    }

    private static ulong Score(string node, string address) =>
        BinaryPrimitives.ReadUInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(node + "#" + address)));
}
