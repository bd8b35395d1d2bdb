namespace IronLb.Bgp.Session;

/// <summary>The six states of RFC 4271 §8.2.2.</summary>
public enum BgpState : byte
{
    /// <summary>No connection; waiting for Start, or for the idle hold timer after a failure.</summary>
    Idle = 0,

    /// <summary>Dialling the peer; the connect-retry timer bounds the attempt.</summary>
    Connect,

    /// <summary>Passive: waiting for the peer to connect to us.</summary>
    Active,

    /// <summary>Our OPEN is out; waiting for the peer's (hold timer at 4 minutes).</summary>
    OpenSent,

    /// <summary>OPENs exchanged and our KEEPALIVE sent; waiting for the peer's KEEPALIVE.</summary>
    OpenConfirm,

    /// <summary>Both sides confirmed: routes may flow.</summary>
    Established,
}

/// <summary>The timers the machine arms; each lives only in some states (<see cref="BgpTimers.UsedIn"/>).</summary>
public enum BgpTimer : byte
{
    None = 0,

    /// <summary>Bounds one dial in Connect.</summary>
    ConnectRetry,

    /// <summary>The peer must send something before it expires (OpenSent, OpenConfirm, Established).</summary>
    Hold,

    /// <summary>When we send the next KEEPALIVE (OpenConfirm, Established).</summary>
    Keepalive,

    /// <summary>The back-off wait in Idle before the next attempt.</summary>
    IdleHold,
}

/// <summary>Where each timer may be armed: the invariant the machine keeps and the tests check.</summary>
public static class BgpTimers
{
    public static bool UsedIn(this BgpTimer timer, BgpState state) => timer switch
    {
        BgpTimer.ConnectRetry => state == BgpState.Connect,
        BgpTimer.Hold => state is BgpState.OpenSent or BgpState.OpenConfirm or BgpState.Established,
        BgpTimer.Keepalive => state is BgpState.OpenConfirm or BgpState.Established,
        BgpTimer.IdleHold => state == BgpState.Idle,
        _ => false,
    };
}
