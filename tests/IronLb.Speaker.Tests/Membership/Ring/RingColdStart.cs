namespace IronLb.Speaker.Tests.Membership.Ring;

/// <summary>
/// A lab's cold start on a loaded machine, on fake time: speakers start staggered, each knowing only the members
/// discovery has shown it so far, and learn the others one at a time 0.3–3 s after they appear (SetMembers grows the
/// table a member at a time, in another order on each node); a speaker turns eligible once it knows every peer (as
/// RingMembershipLoop does); and CPU starvation stops random nodes for 100–800 ms while their datagrams queue.
/// Deterministic for a seed. <see cref="Run"/> drives it until every node has joined with the full election set and
/// every address has its one answerer, or the time runs out (a wedge).
/// </summary>
internal sealed class RingColdStart
{
    private readonly Random _random;
    private readonly TimeSpan[] _startAt;
    private readonly TimeSpan[,] _learnAt;
    private readonly bool[] _started;
    private readonly bool[,] _known;
    private readonly bool[] _eligible;
    private readonly TimeSpan[] _frozenUntil;
    private readonly double _starvation;

    public RingColdStart(int nodes, int seed)
    {
        _random = new Random(seed);
        Sim = new RingSim(nodes, addresses: 12, seed: seed);
        _startAt = new TimeSpan[nodes];
        _learnAt = new TimeSpan[nodes, nodes];
        _started = new bool[nodes];
        _known = new bool[nodes, nodes];
        _eligible = new bool[nodes];
        _frozenUntil = new TimeSpan[nodes];

        // Chance per node and 10 ms step of a stall: from a stall every 2 s to one every 200 ms (load average ~25).
        _starvation = 0.005 + (_random.NextDouble() * 0.045);
        if (Environment.GetEnvironmentVariable("COLDSTART_STARVE") == "0")
        {
            _starvation = 0;
        }

        var appearAt = new TimeSpan[nodes];
        for (var i = 0; i < nodes; i++)
        {
            _startAt[i] = i == 0 ? TimeSpan.Zero : Ms(_random.Next(300, 4000));

            // Discovery shows a speaker a little before or after its ring starts (its Node and Lease exist first).
            appearAt[i] = _startAt[i] - Ms(_random.Next(0, 1500));
            if (appearAt[i] < TimeSpan.Zero)
            {
                appearAt[i] = TimeSpan.Zero;
            }
        }

        for (var i = 0; i < nodes; i++)
        {
            _known[i, i] = true;
            for (var j = 0; j < nodes; j++)
            {
                _learnAt[i, j] = i == j ? TimeSpan.Zero : appearAt[j] + Ms(_random.Next(300, 3000));
            }

            // Not started yet: its process does not exist. The speaker starts ineligible (RingMembershipLoop).
            Sim.Nodes[i].SetMembers([Sim.Names[i]]);
            Sim.Nodes[i].SetEligible(false);
            Sim.States[i] = SimNodeState.Crashed;
        }
    }

    public RingSim Sim { get; }

    /// <summary>When the last discovery or eligibility event is due: the wedge clock starts after it.</summary>
    public TimeSpan LastEventAt
    {
        get
        {
            var last = TimeSpan.Zero;
            foreach (var at in _learnAt)
            {
                last = at > last ? at : last;
            }

            return last;
        }
    }

    public bool Converged
    {
        get
        {
            var all = Enumerable.Range(0, Sim.Nodes.Length).ToList();
            return all.All(i => _started[i] && Sim.Nodes[i].Joined && Sim.Nodes[i].ElectionSet.Length == all.Count) && Sim.Settled(all);
        }
    }

    /// <summary>Runs until converged with the starvation stopped, or <paramref name="limit"/> after the last event.</summary>
    public bool Run(TimeSpan limit)
    {
        var end = LastEventAt + limit;
        while (Sim.Now < end)
        {
            Step();
            if (Sim.Now > LastEventAt && Converged)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>One 10 ms step: the discovery, start, eligibility and stall events that are due, then the ring's step.</summary>
    public void Step()
    {
        Apply();
        Sim.Step(TimeSpan.FromMilliseconds(10));
    }

    private void Apply()
    {
        var now = Sim.Now;
        var count = Sim.Nodes.Length;
        for (var i = 0; i < count; i++)
        {
            if (Sim.States[i] == SimNodeState.Frozen)
            {
                if (now >= _frozenUntil[i])
                {
                    Sim.Resume(i);
                }
                else
                {
                    continue;
                }
            }

            // A starved process does nothing at all, its discovery included: only a running one learns or starts.
            var learned = false;
            for (var j = 0; j < count; j++)
            {
                if (!_known[i, j] && now >= _learnAt[i, j])
                {
                    _known[i, j] = true;
                    learned = true;
                    break; // one peer per update, as discovery's watch delivers them
                }
            }

            if (learned)
            {
                Sim.Nodes[i].SetMembers(Enumerable.Range(0, count).Where(j => _known[i, j]).Select(j => Sim.Names[j]));
            }

            if (!_started[i] && now >= _startAt[i])
            {
                _started[i] = true;
                Sim.States[i] = SimNodeState.Running;
                Sim.Nodes[i].Start(1_000_000 + (ulong)now.TotalMilliseconds);
            }

            if (_started[i] && !_eligible[i] && Enumerable.Range(0, count).All(j => _known[i, j]))
            {
                _eligible[i] = true;
                Sim.Nodes[i].SetEligible(true);
            }

            // Starvation only while discovery still moves: afterwards the ring must recover on a quiet machine.
            if (_started[i] && now < LastEventAt && _random.NextDouble() < _starvation)
            {
                _frozenUntil[i] = now + Ms(_random.Next(100, 800));
                Sim.Freeze(i);
            }
        }
    }

    private static TimeSpan Ms(int milliseconds) => TimeSpan.FromMilliseconds(milliseconds);
}
