using IronLb.Bgp.Wire;

namespace IronLb.Bgp.Session;

/// <summary>
/// What happened, and when: <see cref="Now"/> is a point on the driver's monotonic axis (for example
/// <c>TimeProvider.GetElapsedTime(start)</c>). The machine never reads a clock; every deadline it arms is on this axis.
/// </summary>
public abstract record BgpEvent(TimeSpan Now);

/// <summary>Start the session (RFC 4271 event 1, ManualStart; event 4 when passive); it then restarts itself after failures.</summary>
public sealed record StartEvent(TimeSpan Now) : BgpEvent(Now);

/// <summary>Stop for good (event 2, ManualStop): Cease / Administrative Shutdown with <see cref="Reason"/> when a connection is open.</summary>
public sealed record StopEvent(TimeSpan Now, string Reason = "") : BgpEvent(Now);

/// <summary>The dial succeeded, or (passive) the driver accepted the peer's connection (events 16/17).</summary>
public sealed record TcpConnectedEvent(TimeSpan Now) : BgpEvent(Now);

/// <summary>The dial failed (event 18 before a connection existed).</summary>
public sealed record TcpFailedEvent(TimeSpan Now) : BgpEvent(Now);

/// <summary>The peer closed the connection, or reading/writing failed (event 18).</summary>
public sealed record TcpClosedEvent(TimeSpan Now) : BgpEvent(Now);

/// <summary>A message the framer and decoder accepted (events 19-28).</summary>
public sealed record MessageReceivedEvent(TimeSpan Now, BgpMessage Message) : BgpEvent(Now);

/// <summary>
/// A message the framer or decoder faulted. <see cref="Type"/> is the header's type octet as received
/// (<see cref="BgpMessageType.None"/> when the header itself was bad): a broken NOTIFICATION is never answered.
/// </summary>
public sealed record DecodeFailedEvent(TimeSpan Now, BgpDecodeResult Result, BgpMessageType Type) : BgpEvent(Now);

/// <summary>Time passed: every timer whose deadline is at or before <see cref="BgpEvent.Now"/> fires.</summary>
public sealed record TickEvent(TimeSpan Now) : BgpEvent(Now);

/// <summary>
/// The driver ran <see cref="BgpCollision.Survivor"/> and this connection lost (RFC 4271 §6.8): Cease / Connection
/// Collision Resolution, then close.
/// </summary>
public sealed record CollisionLostEvent(TimeSpan Now) : BgpEvent(Now);
