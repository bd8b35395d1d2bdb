namespace IronLb.Monitoring.Http;

/// <summary>
/// What one connection may cost, so a slow, silent or flooding client holds bounded memory for bounded time. The
/// defaults are generous for Prometheus and the kubelet (a head of a few hundred bytes, sent at once; the answer
/// read at once) and tight for anything else.
/// </summary>
internal sealed record HttpServerLimits
{
    public static HttpServerLimits Default { get; } = new();

    /// <summary>The clock the deadlines run on.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The longest head read (one buffer of this size per open connection); longer is 431.</summary>
    public int HeadBytes { get; init; } = 8 * 1024;

    /// <summary>From accept to the head's blank line; a client that sends nothing or trickles is closed after it.</summary>
    public TimeSpan HeadTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>For the answer to leave: a client that does not read it is closed after it.</summary>
    public TimeSpan ReplyTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// After the answer, how long to read and discard what the client still sends (a body we never read) before
    /// closing: closing with unread bytes makes the kernel send a reset, which can destroy the answer in flight.
    /// </summary>
    public TimeSpan LingerTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>At most this many bytes are discarded while lingering.</summary>
    public int LingerBytes { get; init; } = 64 * 1024;

    /// <summary>
    /// Open connections per listener. One more closes the connection idle longest (no head yet, or lingering), or
    /// when every one is being answered, waits in the kernel's accept queue (<see cref="Backlog"/>).
    /// </summary>
    public int MaxConnections { get; init; } = 64;

    /// <summary>The listen backlog: connections the kernel holds while every slot is busy.</summary>
    public int Backlog { get; init; } = 128;

    /// <summary>The pause before accepting again after accept itself failed (out of file descriptors, say).</summary>
    public TimeSpan AcceptRetry { get; init; } = TimeSpan.FromMilliseconds(100);
}
