namespace IronLb.Networking.Conflicts;

/// <summary>
/// How <see cref="LanProber"/> probes. The defaults (three probes 200 ms apart, then 400 ms of listening) keep a
/// new address waiting about 0.8 s: RFC 5227 asks for 3 probes 1–2 s apart and 2 s of waiting, which on a
/// switched LAN buys little over this and would slow every new Service by seven seconds.
/// </summary>
public sealed record ProbeSettings
{
    /// <summary>Probes per address (at least one is always sent).</summary>
    public int Count { get; init; } = 3;

    /// <summary>Time from the start of one round of probes to the start of the next.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long to keep listening after the last probe went out.</summary>
    public TimeSpan Wait { get; init; } = TimeSpan.FromMilliseconds(400);

    /// <summary>Ceiling on the probes one call sends per second, whatever the number of addresses (at least 1).</summary>
    public int MaxPacketsPerSecond { get; init; } = 50;

    public static ProbeSettings Default { get; } = new();
}
