namespace IronLb.Bgp.Session;

/// <summary>
/// Why a connection ended; one row each in the session's tables. The NOTIFICATION sent (if any) goes with it in
/// <see cref="SessionDownAction"/> and <see cref="BgpSessionState.LastNotification"/>.
/// </summary>
public enum BgpCloseReason : byte
{
    None = 0,

    /// <summary>Stop: Cease 6/2 sent when a connection was open.</summary>
    Stopped,

    /// <summary>The dial failed or its connect-retry time ran out.</summary>
    ConnectFailed,

    /// <summary>The peer closed the connection, or it broke.</summary>
    ConnectionClosed,

    /// <summary>The peer sent a NOTIFICATION (never answered with one).</summary>
    NotificationReceived,

    /// <summary>Nothing from the peer for the hold time: 4/0 sent. MetalLB's native speaker never checks this.</summary>
    HoldTimerExpired,

    /// <summary>The peer's OPEN was refused (2/x sent).</summary>
    OpenRejected,

    /// <summary>A received message was malformed (the codec's NOTIFICATION sent).</summary>
    MalformedMessage,

    /// <summary>A message that the state does not expect (5/x sent).</summary>
    FsmError,

    /// <summary>This connection lost a collision (6/7 sent).</summary>
    CollisionLost,
}
