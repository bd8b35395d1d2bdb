using System.Collections.Immutable;
using System.Net.Sockets;
using System.Threading.Channels;
using IronLb.Bgp.Session;
using IronLb.Bgp.Wire;
using Microsoft.Extensions.Logging;

namespace IronLb.Bgp.Peering;

/// <summary>
/// Runs one BGP session to one peer: the I/O half of <see cref="BgpSession"/>. One loop per peer consumes a
/// channel of inputs (bytes in, dial results, timer, route changes, stop), feeds the machine and performs its
/// actions; nothing else touches the session's state, so there are no locks. Dials run beside the loop with
/// their own timeout, so an unreachable peer never blocks the caller or another peer (MetalLB's native speaker
/// holds a lock across the dial, metallb-bgp.md §4). Timers are one <see cref="ITimer"/> set to the machine's
/// next deadline on the monotonic axis of <see cref="TimeProvider.GetTimestamp"/>.
/// <para>
/// Routes: <see cref="SetRoutes"/> stores the latest set (latest wins) and wakes the loop once however many
/// calls came in; while Established the loop sends the diff against <see cref="AdjRibOut"/>. A change that
/// arrives during a send is applied after it. When the session comes up, everything is sent, then End-of-RIB.
/// </para>
/// </summary>
public sealed partial class BgpPeerDriver : IAsyncDisposable
{
    private readonly BgpSessionConfig _config;
    private readonly BgpPeerEndpoint _endpoint;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action<BgpPeerSnapshot>? _changed;
    private readonly Channel<DriverInput> _inbox = Channel.CreateUnbounded<DriverInput>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _peer;

    private volatile IReadOnlyList<OutboundRoute> _desired = ImmutableArray<OutboundRoute>.Empty;
    private int _routesPending;
    private int _running;
    private volatile BgpPeerSnapshot _snapshot;

    // The loop's own state: read and written only by RunAsync.
    private BgpSessionState _state;
    private long _start;
    private DateTimeOffset _stateSince;
    private ITimer? _timer;
    private int _epoch;
    private BgpConnection? _connection;
    private CancellationTokenSource? _dial;
    private readonly List<Task> _closing = [];
    private AdjRibOut _rib = AdjRibOut.Empty;
    private OutboundContext? _context;
    private MessageCounts _counts;
    private string? _lastError;
    private string? _loggedDialError;
    private int _loggedUnsendable;

    /// <summary>Checks the settings and builds nothing else: no socket, no timer, no task until <see cref="RunAsync"/>.</summary>
    /// <param name="config">The session's settings (ASNs, router ID, timers, families).</param>
    /// <param name="endpoint">Where the peer is and how to reach it.</param>
    /// <param name="timeProvider">Timers and the monotonic axis of the machine's deadlines.</param>
    /// <param name="logger">Session up/down, dial failures (one line per change), NOTIFICATIONs.</param>
    /// <param name="changed">Called from the driver's loop with each new snapshot (for metrics); keep it short, and never throw.</param>
    public BgpPeerDriver(BgpSessionConfig config, BgpPeerEndpoint endpoint, TimeProvider timeProvider, ILogger logger, Action<BgpPeerSnapshot>? changed = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        if (endpoint.Password is { } password)
        {
            // Refuse a key the kernel would refuse, now rather than on every dial.
            _ = TcpMd5Option.Build(endpoint.Remote.Address, password);
        }

        if (endpoint.SourceAddress is { } source && source.AddressFamily != endpoint.Remote.AddressFamily)
        {
            throw new ArgumentException($"Source address {source} is not of the peer {endpoint.Remote.Address}'s family.", nameof(endpoint));
        }

        _config = config;
        _endpoint = endpoint;
        _time = timeProvider;
        _logger = logger;
        _changed = changed;
        _peer = endpoint.Remote.ToString();
        _state = BgpSessionState.Initial(config);
        _stateSince = timeProvider.GetUtcNow();
        _snapshot = BuildSnapshot();
    }

    /// <summary>The session as of the loop's last step: consistent, immutable, free to read from any thread.</summary>
    public BgpPeerSnapshot Snapshot => _snapshot;

    private TimeSpan Now => _time.GetElapsedTime(_start);

    /// <summary>The routes this peer should have; thread-safe, the latest call wins, applied as a diff when Established.</summary>
    /// <summary>
    /// Set before stopping a speaker that will restart: a session that negotiated graceful restart then closes without
    /// Cease, so the peer keeps our routes through the restart. Unset (a peer removed, its terms changed), the stop
    /// sends Cease and the peer withdraws at once.
    /// </summary>
    public bool KeepRoutesOnStop
    {
        get => Volatile.Read(ref _keepRoutesOnStop);
        set => Volatile.Write(ref _keepRoutesOnStop, value);
    }

    private bool _keepRoutesOnStop;

    public void SetRoutes(ImmutableArray<OutboundRoute> routes)
    {
        _desired = routes.IsDefault ? ImmutableArray<OutboundRoute>.Empty : routes;
        if (Interlocked.Exchange(ref _routesPending, 1) == 0)
        {
            _inbox.Writer.TryWrite(RoutesChanged.Instance);
        }
    }

    /// <summary>
    /// Runs the session until <paramref name="stopping"/> is cancelled: then Cease 6/2 (administrative shutdown)
    /// when a connection is open, the close, and return. Peer input never throws here; failures reconnect with
    /// the machine's back-off.
    /// </summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        if (Interlocked.Exchange(ref _running, 1) != 0)
        {
            throw new InvalidOperationException("A driver runs once.");
        }

        _start = _time.GetTimestamp();
        _timer = _time.CreateTimer(_ => _inbox.Writer.TryWrite(TimerFired.Instance), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        var registration = stopping.Register(() => _inbox.Writer.TryWrite(StopRequested.Instance));
        try
        {
            await HandleAsync(new StartEvent(Now)).ConfigureAwait(false);
            Publish();
            var stopped = false;
            while (!stopped && await _inbox.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                while (!stopped && _inbox.Reader.TryRead(out var input))
                {
                    stopped = await ProcessAsync(input).ConfigureAwait(false);
                    Publish();
                }
            }
        }
        finally
        {
            await registration.DisposeAsync().ConfigureAwait(false);
            await _timer.DisposeAsync().ConfigureAwait(false);
            _dial?.Cancel();
            await CloseConnectionAsync().ConfigureAwait(false);
            await Task.WhenAll(_closing).ConfigureAwait(false);

            // A dial that won the race with the stop handed over a socket nobody will use; later ones dispose their own.
            _inbox.Writer.TryComplete();
            while (_inbox.Reader.TryRead(out var late))
            {
                (late as DialDone)?.Socket?.Dispose();
            }

            _finished.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _running) != 0)
        {
            _inbox.Writer.TryWrite(StopRequested.Instance);
            await _finished.Task.ConfigureAwait(false);
        }

        _inbox.Writer.TryComplete();
        _dial?.Dispose();
    }

    /// <summary>One input; true when the driver is done.</summary>
    private async Task<bool> ProcessAsync(DriverInput input)
    {
        switch (input)
        {
            case StopRequested:
                if (KeepRoutesOnStop && _state.State == BgpState.Established && _state.Negotiated is { GracefulRestart: true })
                {
                    // RFC 4724 §4.2: a connection that ends without a NOTIFICATION leaves our routes with the peer,
                    // marked stale, until the restarted speaker's End-of-RIB (or the restart time) — a rolling restart
                    // moves no traffic. The finally block closes the connection.
                    PeeringLog.GracefulStop(_logger, _peer);
                    return true;
                }

                await HandleAsync(new StopEvent(Now, "IronLB speaker stopping")).ConfigureAwait(false);
                return true;
            case TimerFired:
                await HandleAsync(new TickEvent(Now)).ConfigureAwait(false);
                break;
            case RoutesChanged:
                Interlocked.Exchange(ref _routesPending, 0);
                await SendDiffAsync().ConfigureAwait(false);
                break;
            case DialDone dial:
                await DialDoneAsync(dial).ConfigureAwait(false);
                break;
            case FrameReceived frame when frame.Epoch == _connection?.Epoch:
                await HandleAsync(Decode(frame.Frame)).ConfigureAwait(false);
                break;
            case HeaderFault fault when fault.Epoch == _connection?.Epoch:
                await HandleAsync(new DecodeFailedEvent(Now, fault.Fault, BgpMessageType.None)).ConfigureAwait(false);
                break;
            case ConnectionEnded ended when ended.Epoch == _connection?.Epoch:
                if (ended.Error is { } error)
                {
                    _lastError = error;
                    PeeringLog.ConnectionFailed(_logger, _peer, error);
                }

                await HandleAsync(new TcpClosedEvent(Now)).ConfigureAwait(false);
                break;
            default:
                // From a connection or dial already closed: its epoch is gone.
                break;
        }

        return false;
    }

    private BgpEvent Decode(byte[] frame)
    {
        var type = (BgpMessageType)frame[BgpConstants.HeaderLength - 1];
        _counts.Received(type);
        var result = BgpCodec.TryDecode(frame, _state.DecodeContext);
        if (result.Message is NotificationMessage notification)
        {
            PeeringLog.NotificationReceived(_logger, _peer, NotificationText.Describe(notification));
        }
        else if (type == BgpMessageType.Notification)
        {
            PeeringLog.NotificationReceived(_logger, _peer, $"malformed ({result.Fault})");
        }

        return result.IsAccepted && result.Message is { } message
            ? new MessageReceivedEvent(Now, message)
            : new DecodeFailedEvent(Now, result, type);
    }

    /// <summary>One step of the machine, its actions performed in order, then the timer set to the next deadline.</summary>
    private async Task HandleAsync(BgpEvent @event)
    {
        var transition = BgpSession.Handle(_state, @event);
        if (transition.State.State != _state.State)
        {
            _stateSince = _time.GetUtcNow();
        }

        _state = transition.State;
        foreach (var action in transition.Actions)
        {
            await PerformAsync(action).ConfigureAwait(false);
        }

        var due = _state.NextDeadline is { } deadline ? deadline - Now : Timeout.InfiniteTimeSpan;
        _timer!.Change(due < TimeSpan.Zero && due != Timeout.InfiniteTimeSpan ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
    }

    private async Task PerformAsync(BgpAction action)
    {
        switch (action)
        {
            case ConnectAction:
                StartDial();
                break;
            case CloseAction:
                await CloseConnectionAsync(linger: true).ConfigureAwait(false);
                break;
            case SendAction send:
                await SendAsync(send.Message).ConfigureAwait(false);
                break;
            case SessionUpAction up:
                await SessionUpAsync(up.Session).ConfigureAwait(false);
                break;
            case SessionDownAction down:
                _rib = AdjRibOut.Empty;
                _context = null;
                PeeringLog.SessionDown(_logger, _peer, down.Reason, down.Notification is { } n ? NotificationText.Describe(n) : string.Empty);
                break;
            case RouteRefreshRequestedAction refresh when _context is { } context:
                _counts.RouteRefreshesReceived++;
                await SendAllAsync(_rib.Refresh(refresh.Family, context)).ConfigureAwait(false);
                break;
            default:
                // Timers are set from the state's next deadline after the step; received UPDATEs are only counted.
                break;
        }
    }

    private BgpPeerSnapshot BuildSnapshot() => new(
        _endpoint.Remote,
        _state.State,
        _stateSince,
        _state.Negotiated,
        _rib.Count(AddressFamily.InterNetwork),
        _rib.Count(AddressFamily.InterNetworkV6),
        _desired.Count,
        _context is null ? 0 : _rib.UnsendableRoutes,
        _counts.ToRecord(),
        _state.LastCloseReason,
        _state.LastNotification,
        _lastError);

    private void Publish()
    {
        var snapshot = BuildSnapshot();
        if (snapshot != _snapshot)
        {
            _snapshot = snapshot;
            _changed?.Invoke(snapshot);
        }
    }
}
