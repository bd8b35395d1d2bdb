namespace IronLb.Speaker.Conflicts;

/// <summary>
/// How a speaker checks the LAN before it announces a newly assigned address (RFC 5227 probes for IPv4, RFC 4862
/// Duplicate Address Detection for IPv6), how it backs off while another host holds one, and how often it defends
/// an announced address that another host claims. The defaults delay a new address by about 0.8 s; failover never waits.
/// </summary>
public sealed record ConflictSettings
{
    /// <summary>Probes per round (RFC 5227's PROBE_NUM is 3); 0 announces without probing. Claims are watched either way.</summary>
    public int ProbeCount { get; init; } = 3;

    /// <summary>Between two probes of a round. RFC 5227 spaces them 1–2 s; a LAN host answers in microseconds.</summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long answers are awaited after the last probe of a round.</summary>
    public TimeSpan ProbeWait { get; init; } = TimeSpan.FromMilliseconds(400);

    /// <summary>The first wait before probing again an address another host answered for; it doubles up to <see cref="RetryMax"/>.</summary>
    public TimeSpan RetryInitial { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between two rounds for an address in use.</summary>
    public TimeSpan RetryMax { get; init; } = TimeSpan.FromSeconds(16);

    /// <summary>At most one defence (a gratuitous announcement) per address this often (RFC 5227's DEFEND_INTERVAL).</summary>
    public TimeSpan DefendInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A claim against an announced address stays reported until no claim has been seen for this long.</summary>
    public TimeSpan ClaimQuiet { get; init; } = TimeSpan.FromSeconds(30);

    public bool Probes => ProbeCount > 0;

    /// <summary>The longest a round can take: what a new address waits at most when nobody answers.</summary>
    public TimeSpan RoundLength => ProbeCount <= 0 ? TimeSpan.Zero : (ProbeInterval * (ProbeCount - 1)) + ProbeWait;
}
