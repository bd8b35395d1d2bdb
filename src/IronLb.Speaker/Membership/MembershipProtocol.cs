using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Security.Cryptography;

namespace IronLb.Speaker.Membership;

/// <summary>
/// The membership protocol as a pure state machine: no sockets, no timers, only a TimeProvider, so a
/// simulation can run fifty of them in one process. Callers feed datagrams to Receive, call Tick often
/// (at least every Interval / 4 keeps the send phase tight) and send what Tick returns.
/// Not thread-safe: one loop owns it.
/// </summary>
internal sealed class MembershipProtocol
{
    /// <summary>
    /// How long the fastest delivery seen stays the base of the delay check (one to two of these): 200 ppm of rate
    /// difference moves the offset by 24 ms in two minutes, nothing next to the 2 s limit.
    /// </summary>
    public static readonly TimeSpan OffsetWindow = TimeSpan.FromMinutes(1);

    private readonly string _self;
    private readonly MembershipOptions _options;
    private readonly MembershipKey _key;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, PeerState> _states = new(StringComparer.Ordinal);
    private readonly DeadBook _dead = new();
    private FrozenSet<string> _peers = FrozenSet<string>.Empty;
    private FrozenSet<string>? _ready;
    private long _startTimestamp;
    private long _startedAtUnixMs;
    private ulong _incarnation;
    private ulong _sequence;
    private TimeSpan _nextSend;
    private bool _started;
    private bool _left;
    private volatile bool _eligible = true;

    public MembershipProtocol(string self, MembershipOptions options, MembershipKey key, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(self);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(time);
        options.Validate();
        _self = self;
        _options = options;
        _key = key;
        _time = time;
    }

    /// <summary>Raised only when the live set changes (reasons alone changing do not re-run the election).</summary>
    public event EventHandler<MembershipView>? ViewChanged;

    public string Self => _self;

    public ulong Incarnation => _incarnation;

    public MembershipView View { get; private set; } = MembershipView.Empty;

    /// <summary>
    /// Whether this speaker may be elected (false until it has had a valid configuration). Carried in every
    /// heartbeat; the only member that may be set from another thread: it takes effect at the next Tick.
    /// </summary>
    public bool Eligible
    {
        get => _eligible;
        set => _eligible = value;
    }

    private TimeSpan Elapsed => _time.GetElapsedTime(_startTimestamp);

    /// <summary>Picks a fresh incarnation: a restarted speaker is a new member, and its old packets cannot be replayed into it.</summary>
    public void Start(ulong? incarnation = null)
    {
        _incarnation = incarnation ?? BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
        _startTimestamp = _time.GetTimestamp();
        _startedAtUnixMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        _sequence = 0;
        _nextSend = TimeSpan.Zero;
        _started = true;
        _left = false;
        _dead.Clear();
        Recompute();
    }

    /// <summary>The speakers discovery found (their node names). Heartbeats go to these; only these can vote.</summary>
    public void SetPeers(IEnumerable<string> peers)
    {
        ArgumentNullException.ThrowIfNull(peers);
        _peers = peers.Where(p => !string.Equals(p, _self, StringComparison.Ordinal)).ToFrozenSet(StringComparer.Ordinal);
        foreach (var gone in _states.Keys.Where(k => !_peers.Contains(k)).ToList())
        {
            _states.Remove(gone);
        }

        _dead.Keep(_peers);

        Recompute();
    }

    /// <summary>Nodes Kubernetes reports Ready; null (the default) means unknown, treated as all Ready.</summary>
    public void SetReadyNodes(IEnumerable<string>? ready)
    {
        _ready = ready?.ToFrozenSet(StringComparer.Ordinal);
        Recompute();
    }

    public ReceiveOutcome Receive(ReadOnlySpan<byte> datagram)
    {
        EnsureStarted();
        var outcome = Decode(datagram, out var message);
        return outcome == ReceiveOutcome.Accepted ? Receive(message!) : outcome;
    }

    /// <summary>
    /// Decoding and the MAC check alone. Thread-safe (it reads only the immutable key), so a receive loop can
    /// verify outside the lock that serialises <see cref="Receive(MembershipMessage)"/> and Tick.
    /// </summary>
    public ReceiveOutcome Decode(ReadOnlySpan<byte> datagram, out MembershipMessage? message) =>
        MembershipCodec.TryDecode(datagram, _key, out message);

    /// <summary>Admits a message that <see cref="Decode"/> accepted; the same rules as receiving its datagram.</summary>
    public ReceiveOutcome Receive(MembershipMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        EnsureStarted();
        var outcome = Admit(message);
        if (outcome == ReceiveOutcome.Accepted && message.Kind == MessageKind.Goodbye)
        {
            // A goodbye takes effect at delivery, not at the next tick: the addresses move at once.
            Recompute();
        }

        return outcome;
    }

    /// <summary>Sends heartbeats when due and refreshes the view.</summary>
    public IReadOnlyList<OutgoingMessage> Tick()
    {
        EnsureStarted();
        var now = Elapsed;
        Recompute();
        if (_left || now < _nextSend)
        {
            return [];
        }

        // Catch up without bursts after a stall: the next beat is one interval from now at the latest.
        _nextSend = _nextSend + _options.Interval > now ? _nextSend + _options.Interval : now + _options.Interval;
        return Broadcast(MessageKind.Heartbeat, [.. MembershipRules.Witnesses(now, _options, _states).Order(StringComparer.Ordinal)]);
    }

    /// <summary>The goodbye for a clean shutdown; afterwards this instance sends nothing.</summary>
    public IReadOnlyList<OutgoingMessage> Leave()
    {
        EnsureStarted();
        _left = true;
        return Broadcast(MessageKind.Goodbye, []);
    }

    private List<OutgoingMessage> Broadcast(MessageKind kind, ImmutableArray<string> hears)
    {
        var payload = MembershipCodec.Encode(
            new MembershipMessage(kind, _self, _incarnation, ++_sequence, _startedAtUnixMs, (long)Elapsed.TotalMilliseconds, hears) { Eligible = _eligible },
            _key);
        return [.. _peers.Order(StringComparer.Ordinal).Select(p => new OutgoingMessage(p, payload))];
    }

    private ReceiveOutcome Admit(MembershipMessage message)
    {
        if (string.Equals(message.Sender, _self, StringComparison.Ordinal))
        {
            return ReceiveOutcome.FromSelf;
        }

        if (!_peers.Contains(message.Sender))
        {
            return ReceiveOutcome.UnknownSender;
        }

        var now = Elapsed;
        var offset = (long)now.TotalMilliseconds - message.UptimeMs;
        if (_states.TryGetValue(message.Sender, out var state) && state.Incarnation == message.Incarnation)
        {
            if (message.Sequence <= state.Sequence)
            {
                return ReceiveOutcome.Replayed;
            }

            if (state.Left)
            {
                return ReceiveOutcome.AfterGoodbye;
            }

            if (state.MinOffsetMs.Value is { } fastest && offset - fastest > (long)_options.MaxDelay.TotalMilliseconds)
            {
                return ReceiveOutcome.Delayed;
            }
        }
        else if (state is not null && message.StartedAtUnixMs <= state.StartedAtUnixMs)
        {
            return ReceiveOutcome.StaleIncarnation;
        }
        else
        {
            state = new PeerState { Incarnation = message.Incarnation, StartedAtUnixMs = message.StartedAtUnixMs };
            _states[message.Sender] = state;
        }

        state.Sequence = message.Sequence;
        state.MinOffsetMs.Add(offset, now, OffsetWindow);
        state.SenderUptimeMs = message.UptimeMs;
        if (message.Kind == MessageKind.Goodbye)
        {
            state.Left = true;
            state.Hears = new HashSet<string>(StringComparer.Ordinal);
        }
        else
        {
            state.LastHeard = now;
            state.Eligible = message.Eligible;
            // A HashSet, not a FrozenSet: this is rebuilt for every datagram, and freezing costs more than it saves.
            state.Hears = new HashSet<string>(message.Hears, StringComparer.Ordinal);
        }

        return ReceiveOutcome.Accepted;
    }

    private void Recompute()
    {
        if (!_started)
        {
            return;
        }

        var previous = View;
        var next = MembershipRules.Decide(_self, _eligible, Elapsed, _options, _peers, _states, _ready, _dead, previous);
        View = next;
        if (!ReferenceEquals(previous, next) && !previous.SameLiveSet(next))
        {
            ViewChanged?.Invoke(this, next);
        }
    }

    private void EnsureStarted()
    {
        if (!_started)
        {
            throw new InvalidOperationException("membership not started");
        }
    }
}
