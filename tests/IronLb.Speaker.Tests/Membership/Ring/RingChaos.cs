namespace IronLb.Speaker.Tests.Membership.Ring;

/// <summary>
/// A seeded random schedule of faults over a <see cref="RingSim"/> with 5% loss on every link throughout: crashes,
/// restarts, freezes and resumes, one-way loss on random links, a minority/majority partition and its heal, overlapping
/// as they come.
/// After every fault it waits (up to a bound) until every address has exactly one answerer among the connected
/// majority (running nodes on the majority side) and fails otherwise; the sim checks "never two answerers" on every
/// step meanwhile. Then it heals everything, waits until every node is back, and counts ownership changes and
/// rejoins over a healthy period (5% loss still on): there must be none.
/// </summary>
internal sealed class RingChaos
{
    /// <summary>Background loss on every link, also in the healthy period (the goal: 5% loss moves nothing).</summary>
    public const double BackgroundLoss = 0.05;

    private readonly RingSim _sim;
    private readonly Random _random;
    private readonly int _n;
    private readonly HashSet<int> _crashed = [];
    private readonly HashSet<int> _frozen = [];
    private readonly List<(int From, int To)> _oneWay = [];
    private HashSet<int> _minority = [];

    private readonly double _maxLinkLoss;

    /// <param name="sim">A settled simulation.</param>
    /// <param name="seed">Chooses the faults, their targets and the dwell between them.</param>
    /// <param name="maxLinkLoss">The worst one-way loss put on a link; 1.0 lets links be blocked outright.</param>
    public RingChaos(RingSim sim, int seed, double maxLinkLoss)
    {
        _sim = sim;
        _random = new Random(seed);
        _n = sim.Nodes.Length;
        _maxLinkLoss = maxLinkLoss;
    }

    /// <summary>What happened, one line per fault with its simulated time: the reproduction recipe of a failure.</summary>
    public List<string> Log { get; } = [];

    /// <summary>How long each fault took until one answerer per address among the connected majority, by kind.</summary>
    public Dictionary<string, List<double>> SettleMs { get; } = [];

    /// <summary>Crashed or frozen nodes at most at once: few enough that the majority side always holds a strict majority.</summary>
    public int MaxCrashed => Math.Max(1, _n / 12);

    /// <summary>The bound for one answerer per address after any fault: the correlated bound of a partition plus joins.</summary>
    public static TimeSpan SettleBound => RingScenarios.CorrelatedBound + TimeSpan.FromSeconds(10);

    /// <summary>The shortest window after a fault: longer than the slowest single-crash failover (2 s).</summary>
    public static TimeSpan MinWindow => TimeSpan.FromSeconds(3);

    /// <summary>Running nodes on the majority side: the ones that must answer every address between them.</summary>
    public IEnumerable<int> ConnectedMajority =>
        Enumerable.Range(0, _n).Where(i => _sim.States[i] == SimNodeState.Running && !_minority.Contains(i));

    /// <summary>Runs <paramref name="faults"/> random faults, asserting one answerer per address after each.</summary>
    public void Run(int faults)
    {
        _sim.Links.Loss = BackgroundLoss;
        for (var f = 0; f < faults; f++)
        {
            var kind = Inject();
            Settle(kind);

            // A random dwell, so the next fault meets joins, gossip and rounds at a random phase.
            _sim.Run(TimeSpan.FromMilliseconds(_random.Next(0, 3000)));
            Assert.True(_sim.Violations.Count == 0, Failure("two answerers"));
        }
    }

    /// <summary>
    /// Restarts every crashed node, clears the one-way losses and heals the partition (5% loss stays), waits until every
    /// node is joined, lists every node and every address is answered, then returns the ownership changes and rejoins
    /// counted over <paramref name="healthy"/>.
    /// </summary>
    public (int Changes, int Rejoins) HealAndWatch(TimeSpan healthy)
    {
        HealAll();
        var all = Enumerable.Range(0, _n).ToList();
        var healedAt = _sim.Now;
        _sim.Run(SettleBound * 2, until: () => _sim.Nodes.All(n => n.Joined && n.ElectionSet.Length == _n) && _sim.Settled(all));
        Assert.True(_sim.Nodes.All(n => n.Joined && n.ElectionSet.Length == _n) && _sim.Settled(all), Failure("not every node back after the last heal"));
        Record("final heal", _sim.Now - healedAt);

        var incarnations = _sim.Nodes.Select(n => n.Incarnation).ToArray();
        _sim.CountChanges = true;
        _sim.Run(healthy);
        _sim.CountChanges = false;
        return (_sim.OwnershipChanges, RingScenarios.Rejoins(_sim, incarnations));
    }

    /// <summary>Restarts the crashed nodes, resumes the frozen ones, clears the one-way losses and heals the partition; 5% loss stays.</summary>
    public void HealAll()
    {
        foreach (var node in _crashed)
        {
            _sim.Restart(node);
        }

        foreach (var node in _frozen)
        {
            _sim.Resume(node);
        }

        _crashed.Clear();
        _frozen.Clear();
        ClearOneWay();
        _sim.Links.Heal();
        _minority = [];
        _sim.Links.Loss = BackgroundLoss;
        Note("heal everything (5% loss stays)");
    }

    public string Failure(string what) =>
        $"{what}\n{string.Join("\n", Log)}\nviolations: {string.Join("; ", _sim.Violations.Take(5))}\n{Unanswered()}\n{RingScenarios.Describe(_sim, ConnectedMajority)}";

    /// <summary>For each unanswered address: whom the connected majority elects for it, and why that node is silent.</summary>
    private string Unanswered() => string.Join("\n", Enumerable.Range(0, _sim.Addresses.Length).Where(a => _sim.AnsweringOwner(a) < 0).Select(a =>
    {
        var votes = ConnectedMajority.GroupBy(i => _sim.ElectedBy(i, a)).OrderByDescending(g => g.Count())
            .Select(g => $"{(g.Key < 0 ? "nobody" : _sim.Names[g.Key])} by {g.Count()}");
        var elected = ConnectedMajority.Select(i => _sim.ElectedBy(i, a)).Where(e => e >= 0).Distinct().Select(e =>
        {
            var n = _sim.Nodes[e];
            var heldBy = ConnectedMajority.Count(i => _sim.Nodes[i].Standings().GetValueOrDefault(n.Self) == Speaker.Membership.Ring.RingStanding.Electable);
            return $"  {n.Self} {_sim.States[e]} inc={n.Incarnation} joined={n.Joined} lease={n.HoldsRoundLease} answering={_sim.IsAnswering(e)} set={n.ElectionSet.Length} fenceLapses={n.FenceLapses} electable-in={heldBy} minority={_minority.Contains(e)}";
        });
        return $"address {a} ({_sim.Addresses[a]}) elected: {string.Join(", ", votes)}\n{string.Join("\n", elected)}";
    }));

    /// <summary>
    /// Waits until one answerer per address among the connected majority (recording how long that took), but at least
    /// <see cref="MinWindow"/> before asserting it: a fault such as one-way loss can leave the cluster settled at first
    /// and move things (a fence lapse, a removal) only later.
    /// </summary>
    private void Settle(string kind)
    {
        var at = _sim.Now;
        _sim.Run(SettleBound, until: () => _sim.Settled(ConnectedMajority));
        Record(kind, _sim.Now - at);
        if (_sim.Now - at < MinWindow)
        {
            _sim.Run(MinWindow - (_sim.Now - at));
        }

        _sim.Run(SettleBound, until: () => _sim.Settled(ConnectedMajority));
        Assert.True(_sim.Settled(ConnectedMajority), Failure($"no single answerer per address among the connected majority {SettleBound} after: {Log[^1]}"));
        Assert.True(_sim.Violations.Count == 0, Failure("two answerers"));
    }

    /// <summary>Picks a fault that the current state allows and applies it; returns its kind.</summary>
    private string Inject()
    {
        var choices = new List<string> { "one-way" };
        if (_crashed.Count + _frozen.Count < MaxCrashed)
        {
            choices.Add("crash");
            choices.Add("freeze");
        }

        if (_crashed.Count > 0)
        {
            choices.Add("restart");
        }

        if (_frozen.Count > 0)
        {
            choices.Add("resume");
        }

        if (_oneWay.Count > 0)
        {
            choices.Add("clear one-way");
        }

        choices.Add(_minority.Count == 0 ? "partition" : "heal partition");
        var kind = choices[_random.Next(choices.Count)];
        switch (kind)
        {
            case "crash":
                // The answering owner of a random address half the time (a failover), any node otherwise.
                var victim = _random.Next(2) == 0 && _sim.AnsweringOwner(_random.Next(_sim.Addresses.Length)) is var owner && owner >= 0
                    ? owner
                    : PickRunning();
                _sim.Crash(victim);
                _crashed.Add(victim);
                Note($"crash {_sim.Names[victim]}");
                break;
            case "freeze":
                // SIGSTOP or a paused VM: only the in-kernel deadline stands between it and a second answerer.
                var stopped = _random.Next(2) == 0 && _sim.AnsweringOwner(_random.Next(_sim.Addresses.Length)) is var held && held >= 0
                    ? held
                    : PickRunning();
                _sim.Freeze(stopped);
                _frozen.Add(stopped);
                Note($"freeze {_sim.Names[stopped]}");
                break;
            case "resume":
                var resumed = _frozen.ElementAt(_random.Next(_frozen.Count));
                _sim.Resume(resumed);
                _frozen.Remove(resumed);
                Note($"resume {_sim.Names[resumed]}");
                break;
            case "restart":
                var back = _crashed.ElementAt(_random.Next(_crashed.Count));
                _sim.Restart(back);
                _crashed.Remove(back);
                Note($"restart {_sim.Names[back]}");
                break;
            case "one-way":
                OneWay();
                break;
            case "clear one-way":
                ClearOneWay();
                Note("clear one-way losses");
                break;
            case "partition":
                // A random minority (not adjacent on the ring, so runs of three or more occur and the correlated rule
                // is exercised) of a fifth to two fifths, small enough that the majority side keeps a strict majority
                // of the member table with the crashed nodes counted against it.
                var size = _random.Next(_n / 5, (2 * _n / 5) - MaxCrashed + 1);
                _minority = [.. Enumerable.Range(0, _n).OrderBy(_ => _random.Next()).Take(size)];
                _sim.Links.Partition(_n, _minority);
                Note($"partition {size}/{_n}: {string.Join(",", _minority.Order().Select(i => _sim.Names[i]))}");
                break;
            case "heal partition":
                _sim.Links.Partition(_n, []);
                _minority = [];
                Note("heal partition");
                break;
        }

        return kind;
    }

    /// <summary>One-way loss on a few random directed links: the worst loss allowed half the time, 20% up to it otherwise.</summary>
    private void OneWay()
    {
        var links = _random.Next(1, Math.Max(2, _n / 10) + 1);
        var added = new List<string>();
        for (var i = 0; i < links; i++)
        {
            var from = _random.Next(_n);
            var to = (from + 1 + _random.Next(_n - 1)) % _n;
            var loss = _random.Next(2) == 0 ? _maxLinkLoss : 0.2 + (_random.NextDouble() * (_maxLinkLoss - 0.2));
            _sim.Links.SetLinkLoss(from, to, loss);
            _oneWay.Add((from, to));
            added.Add($"{_sim.Names[from]}->{_sim.Names[to]} {loss:P0}");
        }

        Note($"one-way loss {string.Join(", ", added)}");
    }

    private void ClearOneWay()
    {
        foreach (var (from, to) in _oneWay)
        {
            _sim.Links.SetLinkLoss(from, to, 0);
        }

        _oneWay.Clear();
    }

    private int PickRunning()
    {
        var running = Enumerable.Range(0, _n).Where(i => _sim.States[i] == SimNodeState.Running).ToList();
        return running[_random.Next(running.Count)];
    }

    private void Note(string what) => Log.Add($"{_sim.Now.TotalSeconds:F2} s: {what}");

    private void Record(string kind, TimeSpan took)
    {
        if (!SettleMs.TryGetValue(kind, out var list))
        {
            SettleMs[kind] = list = [];
        }

        list.Add(took.TotalMilliseconds);
    }
}
