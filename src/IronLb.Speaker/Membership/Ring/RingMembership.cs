using System.Collections.Immutable;

namespace IronLb.Speaker.Membership.Ring;

/// <summary>
/// Membership v2 (docs/design/membership-v2.md) as a pure state machine: no sockets and no timers, only a
/// TimeProvider's monotonic clock and an injected Random (gossip targets), so a simulation can run 500 of them.
/// The caller feeds datagrams to <see cref="Receive"/>, calls <see cref="Tick"/> often (every 10–25 ms) and sends
/// what it returns. <see cref="Answering"/> says whether this node may answer ARP/NDP for what it owns in
/// <see cref="ElectionSet"/> right now. Not thread-safe: one loop owns it.
/// </summary>
internal sealed partial class RingMembership
{
    /// <summary>Returned by ticks with nothing due (most of them), as a read-only list, so they allocate nothing.</summary>
    private static readonly List<RingDatagram> NothingToSend = [];

    private readonly string _self;
    private readonly ulong _selfId;
    private readonly RingOptions _options;
    private readonly MembershipKey _key;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly SentLog _sent = new();
    private readonly ObservationTally _tally = new();
    private readonly List<RingDatagram> _outbox = [];
    private readonly List<Verdict> _toGossip = [];
    private readonly HashSet<int> _acks = [];
    private readonly long[] _outcomes = new long[Enum.GetValues<RingReceiveOutcome>().Length];
    private readonly long[] _drops = new long[Enum.GetValues<RingDropReason>().Length];
    private MemberTable _table = MemberTable.Empty;
    private VerdictBook _book = new(0);
    private RingPeer[] _peers = [];
    private MajorityRounds? _rounds;
    private TimeSpan? _carriedLease;
    private List<int> _observers = [];
    private int _selfIndex = -1;
    private long _origin;
    private ulong _sequence;
    private long _roundPushes;
    private long _correlatedVerdicts;
    private uint _generation;
    private bool _eligible = true;
    private bool _started;
    private bool _left;
    private bool _joined;
    private TimeSpan _lastTick = RingPeer.Never;
    private TimeSpan _nextPeriod;
    private TimeSpan _startedAt;
    private TimeSpan _observingSince;
    private TimeSpan _quarantineUntil = TimeSpan.MinValue;
    private TimeSpan _firstNeighbours = TimeSpan.MaxValue;
    private TimeSpan _nextAckRequest = TimeSpan.MaxValue;
    private int _ackRequestsSent;
    private long _electionVersion = -1;
    private ImmutableArray<string> _electionSet = [];

    public RingMembership(string self, RingOptions options, MembershipKey key, TimeProvider time, Random random)
    {
        ArgumentException.ThrowIfNullOrEmpty(self);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(random);
        options.Validate();
        _self = self;
        _selfId = MemberTable.IdOf(self);
        _options = options;
        _key = key;
        _time = time;
        _random = random;
    }

    public string Self => _self;

    public ulong Incarnation { get; private set; }

    /// <summary>Why <see cref="Incarnation"/> is what it is.</summary>
    public RingIncarnationCause IncarnationCause { get; private set; }

    public uint Generation => _generation;

    /// <summary>Own alive verdict applied and acknowledged by every member not under a verdict (the join is complete).</summary>
    public bool Joined => _joined;

    /// <summary>Datagrams and bytes handed to the transport since construction.</summary>
    public long SentDatagrams { get; private set; }

    public long SentBytes { get; private set; }

    /// <summary>Members alive and eligible in this node's verdict book: the election's speaker set.</summary>
    public ImmutableArray<string> ElectionSet
    {
        get
        {
            if (_electionVersion != _book.Version)
            {
                _electionSet = [.. Enumerable.Range(0, _table.Count).Where(_book.IsElectable).Select(i => _table.Names[i])];
                _electionVersion = _book.Version;
            }

            return _electionSet;
        }
    }

    /// <summary>Whether this node may answer now: eligible, joined, observer fence, round lease, and ticked within W_f.</summary>
    public bool Answering => DeadlineElapsed() is { } deadline && Now < deadline;

    /// <summary>
    /// The monotonic timestamp (TimeProvider.GetTimestamp units) until which answering stays allowed without another
    /// tick or datagram: what an in-kernel expiry map would hold. Null when not answering at all.
    /// </summary>
    public long? AnswerDeadline => DeadlineElapsed() is { } deadline
        ? _origin + (long)(deadline.Ticks * (double)_time.TimestampFrequency / TimeSpan.TicksPerSecond)
        : null;

    /// <summary>The round lease alone (for tests and status): a strict-majority round seen recently enough.</summary>
    public bool HoldsRoundLease => _rounds is not null && Now < _rounds.LeaseUntil;

    /// <summary>Dead verdicts this node formed with the correlated-failure rule (observers gone from the rounds as witnesses).</summary>
    public long CorrelatedVerdicts => _correlatedVerdicts;

    /// <summary>How many datagrams ended with each outcome.</summary>
    public long Count(RingReceiveOutcome outcome) => _outcomes[(int)outcome];

    /// <summary>How many parts of accepted datagrams were dropped for each reason.</summary>
    public long Count(RingDropReason reason) => _drops[(int)reason];

    private TimeSpan Now => _time.GetElapsedTime(_origin);

    /// <summary>Begins (or re-begins) membership as <paramref name="incarnation"/>, which must exceed every earlier one of this node.</summary>
    public void Start(ulong incarnation)
    {
        ArgumentOutOfRangeException.ThrowIfZero(incarnation);
        if (!_started && _origin == 0)
        {
            _origin = _time.GetTimestamp();
        }

        Incarnation = incarnation;
        IncarnationCause = RingIncarnationCause.Started;
        _started = true;
        _left = false;
        _startedAt = Now;
        _observingSince = _startedAt;
        _firstNeighbours = TimeSpan.MaxValue;
        _nextPeriod = _startedAt;
        ResetJoin();
        foreach (var peer in _peers)
        {
            peer.ResetProofs();
        }
    }

    /// <summary>The members from discovery (self included). Every node derives the same table from the same names.</summary>
    public void SetMembers(IEnumerable<string> members)
    {
        var table = MemberTable.Create(members, out _);
        if (table.Names.SequenceEqual(_table.Names))
        {
            return;
        }

        // A member new to the table is a joiner, like a new incarnation just seen: it computes the same neighbours itself,
        // so it is not a neighbour the ring shifted onto us (whose echoes would not count for our fence for a while).
        var now = _started ? Now : TimeSpan.Zero;
        var peers = new RingPeer[table.Count];
        for (var j = 0; j < table.Count; j++)
        {
            peers[j] = _table.TryIndexOf(table.Ids[j], out var i) ? _peers[i] : new RingPeer { IncarnationSeenAt = now };
        }

        // Observers that stay keep their history (indices change with the table): a growing or shrinking table must not
        // drop this node's fence until the next period.
        var kept = Remap(_observers, table);
        var keptFence = Remap(_fenceObservers, table);

        _book.Remap(_table, table);
        _acks.Clear();
        _carriedLease = _rounds?.LeaseUntil;
        _rounds = null;
        _table = table;
        _peers = peers;
        _selfIndex = table.TryIndexOf(_selfId, out var self) ? self : -1;
        _observers = kept;
        _fenceObservers = keptFence;
        if (_started && _selfIndex >= 0)
        {
            RefreshObservers(now);
        }
    }

    /// <summary>A change of eligibility is a new generation: observers issue a new alive verdict, and becoming eligible is a join.</summary>
    public void SetEligible(bool eligible)
    {
        if (eligible == _eligible)
        {
            return;
        }

        _eligible = eligible;
        _generation++;
        ResetJoin();
    }

    /// <summary>Withdraws at once and tells the observers and a few others; after this the node sends and accepts nothing.</summary>
    public IReadOnlyList<RingDatagram> Leave()
    {
        if (!_started || _left || _selfIndex < 0)
        {
            _left = true;
            return [];
        }

        var now = Now;
        var verdict = new Verdict(_selfId, Incarnation, uint.MaxValue, VerdictKind.Left, false, [_selfId]);
        _book.Apply(_selfIndex, verdict);
        var targets = _observers.Concat(GossipTargets()).Distinct().ToList();
        foreach (var target in targets)
        {
            Send(target, new VerdictMessage(Header(RingMessageKind.Gossip), [verdict]), now);
        }

        _left = true;
        _joined = false;
        return Drain();
    }

    /// <summary>Runs the periodic work that is due and returns every datagram to send.</summary>
    public IReadOnlyList<RingDatagram> Tick()
    {
        if (!_started || _left || _selfIndex < 0)
        {
            return [];
        }

        var now = Now;
        NoteStall(now);
        _lastTick = now;
        CheckFenceLapse(now);
        EnsureRounds(now);
        _rounds!.Tick(now);
        NoteLease(now);
        if (now >= _nextPeriod)
        {
            _nextPeriod = now - _nextPeriod > _options.Period ? now + _options.Period : _nextPeriod + _options.Period;
            RefreshObservers(now);
            SendHeartbeats(now);
            Observe(now);
            SendRound(now);
            CheckJoin(now);
            RemindEnded(now);
            _tally.Expire(now, _options.HeardWindow);
        }
        else
        {
            RetryUnansweredHeartbeats(now);
        }

        FlushGossip(now);
        return Drain();
    }

    private void ResetJoin()
    {
        _joined = false;
        _acks.Clear();
        _nextAckRequest = TimeSpan.MaxValue;
    }

    private void EnsureRounds(TimeSpan now) =>
        _rounds ??= new MajorityRounds(_options, _table.Count, _selfIndex, _table.Digest, now, _carriedLease);

    private RingHeader Header(RingMessageKind kind, RingFlags extra = RingFlags.None)
    {
        var flags = extra | (_eligible ? RingFlags.Eligible : RingFlags.None) | (_left ? RingFlags.Leaving : RingFlags.None);
        return new RingHeader(kind, flags, _selfId, Incarnation, ++_sequence);
    }

    private void Send(int member, RingMessage message, TimeSpan now)
    {
        var payload = RingCodec.Encode(message, _key);
        _sent.Record(message.Header.Sequence, now);
        _outbox.Add(new RingDatagram(_table.Names[member], payload));
        SentDatagrams++;
        SentBytes += payload.Length;
    }

    private List<RingDatagram> Drain()
    {
        if (_outbox.Count == 0)
        {
            return NothingToSend;
        }

        var result = new List<RingDatagram>(_outbox);
        _outbox.Clear();
        return result;
    }

    private IEnumerable<int> GossipTargets()
    {
        if (_table.Count <= 1)
        {
            yield break;
        }

        var chosen = new HashSet<int>();
        for (var attempt = 0; attempt < _options.Fanout * 4 && chosen.Count < _options.Fanout; attempt++)
        {
            var candidate = _random.Next(_table.Count);
            if (candidate != _selfIndex && InRing(candidate) && chosen.Add(candidate))
            {
                yield return candidate;
            }
        }
    }

    /// <summary>Member indices under the current table as indices under <paramref name="table"/>, dropping members it lacks.</summary>
    private List<int> Remap(List<int> members, MemberTable table)
    {
        var kept = new List<int>();
        foreach (var member in members)
        {
            if (table.TryIndexOf(_table.Ids[member], out var j))
            {
                kept.Add(j);
            }
        }

        return kept;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
