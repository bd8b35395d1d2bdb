using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using IronLb.Speaker.Membership.ApiMode;
using IronLb.Speaker.Membership.Ring;
using Microsoft.Extensions.Logging;

namespace IronLb.Speaker.Membership;

/// <summary>
/// Drives membership v2 (<see cref="RingMembership"/>, docs/membership.md) over UDP: a receive loop and a tick loop
/// every 10 ms. The ring is not thread-safe, so both take one lock, each for microseconds. Every datagram first
/// passes the <see cref="DatagramGate"/> (a known member's address, size, rate), so a flood from elsewhere never
/// reaches the HMAC. After each tick the answer bound goes to <see cref="Ticked"/>: the ring's own deadline (fence,
/// round lease) while it answers, zero when it does not, so the kernel stops replying the moment the fence drops.
/// When heartbeats fail across the cluster, <see cref="ApiModeFallback"/> lets the speakers' Leases decide instead.
/// </summary>
internal sealed class RingMembershipLoop : ISpeakerMembership
{
    /// <summary>The ring expects ticks every 10–25 ms; its periods (100 ms) are scheduled inside.</summary>
    public static readonly TimeSpan TickPeriod = TimeSpan.FromMilliseconds(10);

    /// <summary>A fence this long withdraws the table and status as well (a verdict has moved the share by then).</summary>
    public static readonly TimeSpan WithdrawAfter = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private readonly RingMembership _ring;
    private readonly UdpMembershipTransport _transport;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly DatagramGate _datagrams;
    private readonly RefusalLog _refusals;
    private readonly ApiModeFallback _api;
    private ImmutableArray<string> _memberNames;
    private long _apiVersion = -1;
    private bool _apiWasActive;
    private FrozenDictionary<string, IPEndPoint> _endpoints = FrozenDictionary<string, IPEndPoint>.Empty;
    private FrozenDictionary<IPEndPoint, string> _members = FrozenDictionary<IPEndPoint, string>.Empty;
    private volatile MembershipView _view = MembershipView.Empty;
    private volatile bool _answering;
    private volatile bool _withdrawn;
    private long _fencedSince;
    private bool _answeredOnce;
    private long _viewVersion = -1;
    private MembershipMode? _viewMode;
    private bool _eligible;
    private bool _alone = true;
    private bool _answeringWas;
    private ulong _incarnationSeen;

    public RingMembershipLoop(string self, RingOptions options, MembershipKey key, UdpMembershipTransport transport, TimeProvider time, ILogger logger, MembershipCounters counters, DatagramGateOptions? limits = null, ApiModeTiming? apiTiming = null)
    {
        _ring = new RingMembership(self, options, key, time, new Random());
        _api = new ApiModeFallback(self, apiTiming ?? new ApiModeTiming(TimeSpan.FromSeconds(10)), time);
        _memberNames = [self];
        _transport = transport;
        _time = time;
        _logger = logger;
        Counters = counters;
        _datagrams = new DatagramGate(limits ?? new DatagramGateOptions(), time);
        _refusals = new RefusalLog(logger, time);

        // Like the mesh: not eligible until the speaker has a valid configuration and knows its peers.
        _ring.SetEligible(false);
    }

    public event EventHandler? Changed;

    public string Protocol => "ring";

    public MembershipView View => _view;

    public bool Answering => _answering;

    public bool Withdrawn => _withdrawn;

    public bool Eligible
    {
        get
        {
            lock (_gate)
            {
                return _eligible;
            }
        }

        set
        {
            lock (_gate)
            {
                _eligible = value;
                _ring.SetEligible(value);
            }
        }
    }

    /// <summary>Accepted and refused datagrams, by reason (shared with the speaker's metrics).</summary>
    public MembershipCounters Counters { get; }

    public Action<TimeSpan?>? Ticked { get; set; }

    public Action? Leaving { get; set; }

    public Func<LeaseEvidence>? LeaseEvidence { get; set; }

    public void SetPeers(IReadOnlyDictionary<string, IPEndPoint> peers)
    {
        ArgumentNullException.ThrowIfNull(peers);
        _endpoints = peers.ToFrozenDictionary(StringComparer.Ordinal);
        // By address and port: each speaker sends from the socket it listens on, and test clusters share one address.
        _members = peers.GroupBy(p => Normalize(p.Value))
            .Where(g => g.Count() == 1)
            .ToFrozenDictionary(g => g.Key, g => g.Single().Key);
        _datagrams.SetSources(peers.Values.Select(e => e.Address), MembershipCodec.MaxDatagram);
        lock (_gate)
        {
            _alone = peers.Keys.All(p => string.Equals(p, _ring.Self, StringComparison.Ordinal));
            _memberNames = [.. peers.Keys.Append(_ring.Self).Distinct(StringComparer.Ordinal)];
            _ring.SetMembers(_memberNames);
            Publish();
        }
    }

    /// <summary>The ring decides liveness from heartbeats alone; Node readiness plays no part (a Ready node may be cut off).</summary>
    public void SetReadyNodes(IEnumerable<string>? ready)
    {
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            // Larger than any earlier run of this node as long as its wall clock does not step back by more than the
            // restart took; if it did, the others' verdict on the old incarnation tells the ring to move past it.
            _ring.Start(Math.Max(1UL, (ulong)_time.GetUtcNow().ToUnixTimeMilliseconds() * 1000));
        }

        var receiving = DatagramReceiver.RunAsync(_transport, Receive, Counters, _refusals, cancellationToken);
        using (var timer = new PeriodicTimer(TickPeriod, _time))
        {
            try
            {
                do
                {
                    IReadOnlyList<RingDatagram> outgoing;
                    TimeSpan? bound;
                    lock (_gate)
                    {
                        outgoing = _ring.Tick();
                        NoteIncarnation();
                        UpdateApiMode();
                        bound = AnswerBound();
                        Publish();
                    }

                    Ticked?.Invoke(bound);
                    await SendAsync(outgoing).ConfigureAwait(false);
                    _refusals.Flush();
                }
                while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
        }

        // The observers form a Left verdict as soon as this arrives: no answer may follow it.
        Leaving?.Invoke();
        IReadOnlyList<RingDatagram> goodbye;
        lock (_gate)
        {
            goodbye = _ring.Leave();
            Publish();
        }

        await SendAsync(goodbye).ConfigureAwait(false);
        await receiving.ConfigureAwait(false);
    }

    /// <summary>The ring's own outcome in the speaker's table of reasons (metrics and refusal logs are shared with the mesh).</summary>
    internal static ReceiveOutcome Map(RingReceiveOutcome outcome) => outcome switch
    {
        RingReceiveOutcome.Accepted => ReceiveOutcome.Accepted,
        RingReceiveOutcome.BadMagic => ReceiveOutcome.BadMagic,
        RingReceiveOutcome.UnsupportedVersion => ReceiveOutcome.UnsupportedVersion,
        RingReceiveOutcome.BadMac => ReceiveOutcome.BadMac,
        RingReceiveOutcome.NotStarted => ReceiveOutcome.NotStarted,
        RingReceiveOutcome.FromSelf => ReceiveOutcome.FromSelf,
        RingReceiveOutcome.UnknownSender => ReceiveOutcome.UnknownSender,
        RingReceiveOutcome.SourceMismatch => ReceiveOutcome.SourceMismatch,
        RingReceiveOutcome.StaleIncarnation => ReceiveOutcome.StaleIncarnation,
        RingReceiveOutcome.Replayed => ReceiveOutcome.Replayed,
        RingReceiveOutcome.NotForMe => ReceiveOutcome.NotForMe,
        RingReceiveOutcome.TableMismatch => ReceiveOutcome.TableMismatch,

        // TooShort, UnknownKind, Malformed, and any reason added later: the bytes did not make a message.
        _ => ReceiveOutcome.Malformed,
    };

    /// <summary>
    /// How long the kernel may answer without another tick: the ring's deadline, or zero when fenced. A speaker that is
    /// the only member has nobody to dispute it (the ring needs observers): it answers while eligible, bounded by its
    /// liveness only, like the mesh's quorum of one.
    /// </summary>
    private TimeSpan? AnswerBound()
    {
        if (_alone)
        {
            return _eligible ? null : TimeSpan.Zero;
        }

        var now = _time.GetTimestamp();
        var answerUntil = _api.Active ? _api.AnswerDeadline : _api.HoldsRingAnswers(now) ? null : _ring.AnswerDeadline;
        return answerUntil is not { } deadline || deadline <= now ? TimeSpan.Zero : _time.GetElapsedTime(now, deadline);
    }

    /// <summary>
    /// Under the lock, every tick: one step of the API-mode fallback. A lone member has nobody to lose heartbeats with,
    /// so it never switches.
    /// </summary>
    private void UpdateApiMode()
    {
        if (_alone)
        {
            return;
        }

        _api.Update(_time.GetTimestamp(), LeaseEvidence?.Invoke() ?? ApiMode.LeaseEvidence.None, _memberNames, _ring.HoldsRoundLease, _eligible);
        if (_api.Active != _apiWasActive)
        {
            _apiWasActive = _api.Active;
            if (_api.Active)
            {
                MembershipLog.ApiModeEntered(_logger, _ring.Self, _api.ElectionSet);
            }
            else
            {
                var reason = _ring.HoldsRoundLease ? "a majority round again" : !_eligible ? "not eligible" : _api.Condition.ToString();
                MembershipLog.ApiModeLeft(_logger, _ring.Self, reason, (int)_api.Timing.ReturnHold.TotalMilliseconds);
            }
        }
    }

    /// <summary>
    /// A new incarnation stops this node answering until it has joined as that one; say why, since from the outside it
    /// looks like a fence for no reason (a starved process on a loaded node is the usual one).
    /// </summary>
    private void NoteIncarnation()
    {
        Counters.Stalls = _ring.Stalls;
        if (_ring.Incarnation == _incarnationSeen)
        {
            return;
        }

        _incarnationSeen = _ring.Incarnation;
        var cause = _ring.IncarnationCause switch
        {
            RingIncarnationCause.FenceLapsed => "too few observers echoed it for longer than the fence allows",
            RingIncarnationCause.EndedByOthers => "the others ended its previous one",
            _ => null,
        };
        if (cause is not null)
        {
            Counters.CountNewIncarnation(_ring.IncarnationCause);
            MembershipLog.NewIncarnation(_logger, _ring.Self, cause, _ring.Stalls);
        }
    }

    /// <summary>Under the lock: a new snapshot when a verdict landed or the fence moved, and the Changed event.</summary>
    private void Publish()
    {
        var now = _time.GetTimestamp();
        var api = !_alone && _api.Active;
        var answering = _alone ? _eligible : api ? _api.MayAnswer : _ring.Answering && !_api.HoldsRingAnswers(now);
        var mode = api ? MembershipMode.Api
            : answering || _alone ? MembershipMode.Quorum : !_ring.HoldsRoundLease ? MembershipMode.NoMajority : MembershipMode.Fenced;
        // Until its join completes, a node's book may lack verdicts on others, so an election over it would hand this
        // node their shares: it stays out of its own election (WarmingUp) until then.
        var joined = _alone || _ring.Joined;
        var version = _alone ? (_eligible ? -2 : -3) : (_ring.BookVersion * 2) + (joined ? 1 : 0);
        if (answering)
        {
            _fencedSince = 0;
            _answeredOnce = true;
        }
        else if (_fencedSince == 0)
        {
            _fencedSince = now;
        }

        // A node that has not answered yet has nothing to keep through a blip: it withdraws at once.
        var withdrawn = !answering && (!_answeredOnce || _time.GetElapsedTime(_fencedSince, now) >= WithdrawAfter);
        if (withdrawn != _withdrawn)
        {
            _withdrawn = withdrawn;
            Changed?.Invoke(this, EventArgs.Empty);
        }

        if (version == _viewVersion && mode == _viewMode && _api.Version == _apiVersion)
        {
            return;
        }

        var standings = _alone ? ImmutableSortedDictionary<string, RingStanding>.Empty : _ring.Standings();
        var live = _alone
            ? (_eligible ? ImmutableSortedSet.Create(StringComparer.Ordinal, _ring.Self) : ImmutableSortedSet.Create<string>(StringComparer.Ordinal))
            : api ? _api.ElectionSet
            : ImmutableSortedSet.CreateRange(StringComparer.Ordinal, _ring.ElectionSet.Where(m => joined || !string.Equals(m, _ring.Self, StringComparison.Ordinal)));
        var excluded = ImmutableSortedDictionary.CreateRange(
            StringComparer.Ordinal,
            standings.Where(s => !live.Contains(s.Key)).Select(s => KeyValuePair.Create(s.Key, Reason(s.Value))));
        var view = new MembershipView(live, excluded, mode);
        var liveChanged = !view.SameLiveSet(_view) || view.Mode != _view.Mode;
        _viewVersion = version;
        _viewMode = mode;
        _apiVersion = _api.Version;
        _view = view;
        _answering = answering;
        if (liveChanged || answering != _answeringWas)
        {
            _answeringWas = answering;
            var text = excluded.Count == 0 ? "none" : string.Join(", ", excluded.Select(e => $"{e.Key} {e.Value}"));
            MembershipLog.ViewChanged(_logger, _ring.Self, live, mode, text);
            Changed?.Invoke(this, EventArgs.Empty);
        }
    }

    private static ExclusionReason Reason(RingStanding standing) => standing switch
    {
        RingStanding.Left => ExclusionReason.Left,
        RingStanding.Dead => ExclusionReason.NotHeardByMajority,
        RingStanding.NotEligible => ExclusionReason.NotEligible,
        _ => ExclusionReason.WarmingUp,
    };

    private ReceiveOutcome Receive(ReadOnlySpan<byte> datagram, IPEndPoint from)
    {
        var outcome = _datagrams.Check(from.Address, datagram.Length);
        if (outcome != ReceiveOutcome.Accepted)
        {
            return outcome;
        }

        if (!_members.TryGetValue(Normalize(from), out var member))
        {
            return ReceiveOutcome.UnknownSource;
        }

        // The gate has bounded what reaches here to the members' token buckets, so the HMAC under the lock is cheap.
        lock (_gate)
        {
            var result = Map(_ring.Receive(member, datagram));
            Publish();
            return result;
        }
    }

    private static IPEndPoint Normalize(IPEndPoint endpoint)
    {
        var address = DatagramGate.Normalize(endpoint.Address);
        return ReferenceEquals(address, endpoint.Address) ? endpoint : new IPEndPoint(address, endpoint.Port);
    }

    private async Task SendAsync(IReadOnlyList<RingDatagram> outgoing)
    {
        var endpoints = _endpoints;
        foreach (var datagram in outgoing)
        {
            if (!endpoints.TryGetValue(datagram.To, out var to))
            {
                continue;
            }

            try
            {
                await _transport.SendAsync(datagram.Payload, to, CancellationToken.None).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                // A lost heartbeat is what the protocol is built to survive; never let one peer stop the others.
                MembershipLog.SendFailed(_logger, datagram.To, e.SocketErrorCode);
            }
        }
    }
}
