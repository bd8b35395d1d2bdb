namespace IronLb.Speaker.Membership;

/// <summary>
/// Limits applied to every membership datagram before it is decoded or its MAC is computed. The defaults
/// leave room for any genuine peer: v1 sends 10 heartbeats a second to each peer, v2 up to about 50
/// datagrams a second (heartbeats, echoes and gossip); a burst of 120 absorbs a peer's catch-up after a stall.
/// </summary>
internal sealed record DatagramGateOptions
{
    /// <summary>Datagrams a second one source may send, sustained.</summary>
    public double SteadyPerSecond { get; init; } = 60;

    /// <summary>Datagrams one source may send at once after a quiet spell.</summary>
    public int Burst { get; init; } = 120;

    public void Validate()
    {
        if (SteadyPerSecond <= 0 || Burst < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(SteadyPerSecond), "membership rate limit must be positive and its burst at least 1");
        }
    }
}
