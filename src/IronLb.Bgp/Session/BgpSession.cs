using IronLb.Bgp.Wire;

namespace IronLb.Bgp.Session;

/// <summary>
/// The BGP-4 finite state machine of RFC 4271 §8, as a pure function: <c>Handle(state, event)</c> returns the
/// next state and the actions the driver must perform, in order. It reads no clock (every event carries
/// <see cref="BgpEvent.Now"/>), does no I/O and keeps nothing between calls, so a transition is a table row and
/// a whole conversation can be replayed. A function over immutable state rather than an object with
/// <c>Handle(event)</c>: the driver keeps one reference and swaps it, a status reader sees a consistent
/// snapshot without a lock, and two machines can be run against each other in a test with no shared objects.
/// <para>
/// Where it departs from MetalLB's native speaker (reference §4): the hold timer is enforced on receive
/// (4/0 on expiry); every refusal and close on an open connection sends the NOTIFICATION RFC 4271 prescribes
/// (never one in answer to a NOTIFICATION); Established waits for the peer's KEEPALIVE; failures back off in Idle.
/// Left out of RFC 4271's optional attributes: DelayOpen, and the second connection's bookkeeping of collision
/// detection, which is the driver's (<see cref="BgpCollision"/>): one machine is one connection.
/// </para>
/// </summary>
public static class BgpSession
{
    /// <summary>RFC 6608 subcodes of the FSM error (5/x): an unexpected message in OpenSent, OpenConfirm, Established.</summary>
    public const byte UnexpectedInOpenSent = 1;
    public const byte UnexpectedInOpenConfirm = 2;
    public const byte UnexpectedInEstablished = 3;

    /// <summary>RFC 4486 Cease subcode for the connection that loses a collision.</summary>
    public const byte ConnectionCollisionResolution = 7;

    public static BgpTransition Handle(BgpSessionState state, BgpEvent @event)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(@event);
        var step = new Step(state, @event.Now);
        switch (@event)
        {
            case StartEvent:
                step.Start();
                break;
            case StopEvent stop:
                step.Stop(stop.Reason);
                break;
            case TcpConnectedEvent:
                step.Connected();
                break;
            case TcpFailedEvent or TcpClosedEvent:
                step.ConnectionLost();
                break;
            case MessageReceivedEvent received:
                step.Received(received.Message);
                break;
            case DecodeFailedEvent failed:
                step.DecodeFailed(failed.Result, failed.Type);
                break;
            case TickEvent:
                step.Tick();
                break;
            case CollisionLostEvent:
                step.CollisionLost();
                break;
            default:
                break;
        }

        return step.Finish();
    }

    /// <summary>The idle hold time after <paramref name="failures"/> consecutive failures: the first, doubled, capped.</summary>
    public static TimeSpan Backoff(BgpSessionConfig config, int failures)
    {
        ArgumentNullException.ThrowIfNull(config);
        var wait = config.IdleHoldTime;
        for (var i = 1; i < failures && wait < config.MaxIdleHoldTime; i++)
        {
            wait += wait;
        }

        return wait < config.MaxIdleHoldTime ? wait : config.MaxIdleHoldTime;
    }

    /// <summary>One transition being built: the state so far and the actions so far.</summary>
    private sealed class Step(BgpSessionState state, TimeSpan now)
    {
        private readonly List<BgpAction> _actions = [];
        private BgpSessionState _state = state;

        private BgpSessionConfig Config => _state.Config;

        private bool HasConnection => _state.State is BgpState.OpenSent or BgpState.OpenConfirm or BgpState.Established;

        public void Start()
        {
            if (_state.State != BgpState.Idle || _state.Started)
            {
                // RFC 4271 §8.2.2: Start is ignored outside Idle; a started machine in back-off waits its turn.
                return;
            }

            _state = _state with { Started = true };
            Attempt();
        }

        public void Stop(string reason)
        {
            var wasIdle = _state.State == BgpState.Idle;
            _state = _state with { Started = false };
            if (wasIdle)
            {
                // A stopped machine does not come back by itself: the back-off wait goes too.
                Disarm(BgpTimer.IdleHold);
                _state = _state with { ConsecutiveFailures = 0 };
                return;
            }

            Close(BgpCloseReason.Stopped, HasConnection ? NotificationMessage.AdministrativeShutdown(reason) : null);
        }

        public void Connected()
        {
            switch (_state.State)
            {
                case BgpState.Connect or BgpState.Active:
                    Disarm(BgpTimer.ConnectRetry);
                    Send(OpenNegotiation.BuildOpen(Config));
                    _state = _state with { State = BgpState.OpenSent };
                    Arm(BgpTimer.Hold, BgpSessionConfig.LargeHoldTime);
                    break;
                case BgpState.Idle:
                    // Not started, or backing off: refuse the connection the driver holds.
                    _actions.Add(CloseAction.Instance);
                    break;
                default:
                    // A second connection belongs to a second machine and BgpCollision; this one is unaffected.
                    break;
            }
        }

        public void ConnectionLost()
        {
            switch (_state.State)
            {
                case BgpState.Connect or BgpState.Active:
                    Close(BgpCloseReason.ConnectFailed, null);
                    break;
                case BgpState.OpenSent or BgpState.OpenConfirm or BgpState.Established:
                    // The connection is gone: there is nobody to send a NOTIFICATION to.
                    Close(BgpCloseReason.ConnectionClosed, null);
                    break;
                default:
                    break;
            }
        }

        public void Received(BgpMessage message)
        {
            if (!HasConnection)
            {
                if (_state.State is BgpState.Connect or BgpState.Active)
                {
                    // Bytes before the connection was reported: the driver is out of step; start over quietly.
                    Close(BgpCloseReason.FsmError, null);
                }

                return;
            }

            if (message is NotificationMessage notification)
            {
                Close(BgpCloseReason.NotificationReceived, null, notification);
                return;
            }

            switch (_state.State)
            {
                case BgpState.OpenSent:
                    if (message is OpenMessage open)
                    {
                        Open(open);
                    }
                    else
                    {
                        Unexpected(UnexpectedInOpenSent);
                    }

                    break;
                case BgpState.OpenConfirm:
                    if (message is KeepaliveMessage)
                    {
                        RestartHold();
                        _state = _state with { State = BgpState.Established, KeepaliveReceived = true, EstablishedAt = now };
                        _actions.Add(new SessionUpAction(_state.Negotiated!));
                    }
                    else
                    {
                        Unexpected(UnexpectedInOpenConfirm);
                    }

                    break;
                default:
                    Established(message);
                    break;
            }
        }

        public void DecodeFailed(BgpDecodeResult result, BgpMessageType type)
        {
            if (result.Message is { } salvaged && result.Action is FaultAction.None or FaultAction.TreatAsWithdraw or FaultAction.AttributeDiscard)
            {
                // RFC 7606: the UPDATE is kept (as a withdrawal, or without an attribute) and the session stays.
                Received(salvaged);
                return;
            }

            if (!HasConnection)
            {
                if (_state.State is BgpState.Connect or BgpState.Active)
                {
                    Close(BgpCloseReason.MalformedMessage, null);
                }

                return;
            }

            // A broken NOTIFICATION is still the peer closing: answering it with one is what RFC 4271 §6.1 forbids.
            Close(BgpCloseReason.MalformedMessage, type == BgpMessageType.Notification ? null : result.Notification ?? Fsm(_state.State));
        }

        public void Tick()
        {
            if (Due(BgpTimer.Hold))
            {
                Close(BgpCloseReason.HoldTimerExpired, new NotificationMessage(BgpFaults.HoldTimerExpired, 0, []));
                return;
            }

            if (Due(BgpTimer.Keepalive))
            {
                Send(KeepaliveMessage.Instance);
                Arm(BgpTimer.Keepalive, _state.Negotiated!.KeepaliveTime);
            }

            if (Due(BgpTimer.ConnectRetry))
            {
                // RFC 4271 Connect state, event 9: abandon this dial and start another.
                _actions.Add(CloseAction.Instance);
                _actions.Add(ConnectAction.Instance);
                Arm(BgpTimer.ConnectRetry, Config.ConnectRetryTime);
            }

            if (Due(BgpTimer.IdleHold))
            {
                Disarm(BgpTimer.IdleHold);
                if (_state.Started)
                {
                    Attempt();
                }
            }
        }

        public void CollisionLost()
        {
            if (HasConnection)
            {
                Close(BgpCloseReason.CollisionLost, new NotificationMessage(BgpFaults.Cease, ConnectionCollisionResolution, []));
            }
        }

        public BgpTransition Finish()
        {
            // The invariant, whatever path got here: a timer is armed only in a state that uses it.
            foreach (var timer in (ReadOnlySpan<BgpTimer>)[BgpTimer.ConnectRetry, BgpTimer.Hold, BgpTimer.Keepalive, BgpTimer.IdleHold])
            {
                if (!timer.UsedIn(_state.State))
                {
                    Disarm(timer);
                }
            }

            return new BgpTransition(_state, [.. _actions]);
        }

        private void Attempt()
        {
            if (Config.Passive)
            {
                _state = _state with { State = BgpState.Active };
                return;
            }

            _state = _state with { State = BgpState.Connect };
            _actions.Add(ConnectAction.Instance);
            Arm(BgpTimer.ConnectRetry, Config.ConnectRetryTime);
        }

        private void Open(OpenMessage open)
        {
            var result = OpenNegotiation.Negotiate(Config, open);
            if (result.Session is not { } session)
            {
                Close(BgpCloseReason.OpenRejected, result.Refusal);
                return;
            }

            _state = _state with { State = BgpState.OpenConfirm, Negotiated = session };
            Send(KeepaliveMessage.Instance);
            RestartHold();
            if (session.KeepaliveTime > TimeSpan.Zero)
            {
                Arm(BgpTimer.Keepalive, session.KeepaliveTime);
            }
            else
            {
                Disarm(BgpTimer.Keepalive);
            }
        }

        private void Established(BgpMessage message)
        {
            switch (message)
            {
                case KeepaliveMessage:
                    RestartHold();
                    break;
                case UpdateMessage update:
                    RestartHold();
                    _actions.Add(new UpdateIgnoredAction(update));
                    break;
                case RouteRefreshMessage refresh:
                    RestartHold();
                    var family = new BgpFamily(refresh.Afi, refresh.Safi);

                    // RFC 2918 §4: a request for a family not negotiated is ignored. Subtypes of RFC 7313 (BoRR/EoRR) are not requests.
                    if (refresh.Subtype == 0 && _state.Negotiated!.Families.AsSpan().Contains(family))
                    {
                        _actions.Add(new RouteRefreshRequestedAction(family));
                    }

                    break;
                default:
                    Unexpected(UnexpectedInEstablished);
                    break;
            }
        }

        private void Unexpected(byte subcode) =>
            Close(BgpCloseReason.FsmError, new NotificationMessage(BgpFaults.FiniteStateMachineError, subcode, []));

        private static NotificationMessage Fsm(BgpState state) => new(BgpFaults.FiniteStateMachineError, state switch
        {
            BgpState.OpenSent => UnexpectedInOpenSent,
            BgpState.OpenConfirm => UnexpectedInOpenConfirm,
            _ => UnexpectedInEstablished,
        }, []);

        /// <summary>
        /// Every way a connection ends: the NOTIFICATION (if any) then the close, session down if it was up, and
        /// back to Idle with the back-off armed when the machine is still started.
        /// </summary>
        private void Close(BgpCloseReason reason, NotificationMessage? sent, NotificationMessage? received = null)
        {
            var wasEstablished = _state.State == BgpState.Established;
            if (sent is not null)
            {
                Send(sent);
            }

            _actions.Add(CloseAction.Instance);
            Disarm(BgpTimer.ConnectRetry);
            Disarm(BgpTimer.Hold);
            Disarm(BgpTimer.Keepalive);
            if (wasEstablished)
            {
                _actions.Add(new SessionDownAction(reason, sent ?? received));
            }

            // A session that stayed up for the longest back-off was not a flap: the count starts again.
            var stable = wasEstablished && now - _state.EstablishedAt >= Config.MaxIdleHoldTime;
            var failures = reason == BgpCloseReason.Stopped ? 0 : (stable ? 0 : _state.ConsecutiveFailures) + 1;
            _state = _state with
            {
                State = BgpState.Idle,
                Negotiated = null,
                KeepaliveReceived = false,
                EstablishedAt = null,
                ConsecutiveFailures = failures,
                LastCloseReason = reason,
                LastNotification = sent ?? received,
            };
            if (_state.Started)
            {
                Arm(BgpTimer.IdleHold, Backoff(Config, failures));
            }
        }

        private void RestartHold()
        {
            if (_state.Negotiated is { HoldTime: var hold } && hold > TimeSpan.Zero)
            {
                Arm(BgpTimer.Hold, hold);
            }
            else
            {
                Disarm(BgpTimer.Hold);
            }
        }

        private bool Due(BgpTimer timer) => _state.Deadline(timer) is { } deadline && deadline <= now;

        private void Send(BgpMessage message) => _actions.Add(new SendAction(message));

        private void Arm(BgpTimer timer, TimeSpan after)
        {
            var deadline = now + after;
            _state = Set(timer, deadline);
            _actions.Add(new ArmTimerAction(timer, deadline));
        }

        private void Disarm(BgpTimer timer)
        {
            if (_state.Deadline(timer) is not null)
            {
                _state = Set(timer, null);
                _actions.Add(new DisarmTimerAction(timer));
            }
        }

        private BgpSessionState Set(BgpTimer timer, TimeSpan? deadline) => timer switch
        {
            BgpTimer.ConnectRetry => _state with { ConnectRetryDeadline = deadline },
            BgpTimer.Hold => _state with { HoldDeadline = deadline },
            BgpTimer.Keepalive => _state with { KeepaliveDeadline = deadline },
            _ => _state with { IdleHoldDeadline = deadline },
        };
    }
}
