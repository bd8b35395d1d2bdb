using System.CommandLine;
using IronLb.CommandLine;
using IronLb.Speaker.Conflicts;

namespace IronLb.Commands;

/// <summary>The speaker's flags for address conflicts on the LAN (issue 16), read into <see cref="ConflictSettings"/>.</summary>
internal sealed class SpeakerConflictFlags
{
    private static readonly ConflictSettings Defaults = new();

    public Option<int> Probes { get; } = new("--conflict-probes")
    {
        Description = "Probes (ARP probes from 0.0.0.0, IPv6 Duplicate Address Detection) sent before a newly assigned address is first announced; 0 announces at once. Failover never probes.",
        DefaultValueFactory = _ => Defaults.ProbeCount,
    };

    public Option<Duration> ProbeInterval { get; } = DurationOption.Create("--conflict-probe-interval", "Between two probes of a round.", Defaults.ProbeInterval, mustBePositive: true);

    public Option<Duration> ProbeWait { get; } = DurationOption.Create("--conflict-probe-wait", "How long answers are awaited after the last probe of a round.", Defaults.ProbeWait, mustBePositive: true);

    public Option<Duration> RetryMax { get; } = DurationOption.Create("--conflict-retry-max", "While another host answers for an address, it is probed again after 1s, doubling up to this.", Defaults.RetryMax, mustBePositive: true);

    public Option<Duration> DefendInterval { get; } = DurationOption.Create("--conflict-defend-interval", "At most one gratuitous defence per address this often when another host claims an announced one (RFC 5227 DEFEND_INTERVAL).", Defaults.DefendInterval, mustBePositive: true);

    public IEnumerable<Option> All => [Probes, ProbeInterval, ProbeWait, RetryMax, DefendInterval];

    /// <summary>The settings, or null with the reason written to <paramref name="error"/>.</summary>
    public ConflictSettings? Read(ParseResult parse, TextWriter error)
    {
        var probes = parse.GetValue(Probes);
        if (probes is < 0 or > 10)
        {
            error.WriteLine($"ironlb speaker: --conflict-probes takes 0 to 10, not {probes}");
            return null;
        }

        var retryMax = parse.GetValue(RetryMax).TimeSpan;
        return new ConflictSettings
        {
            ProbeCount = probes,
            ProbeInterval = parse.GetValue(ProbeInterval).TimeSpan,
            ProbeWait = parse.GetValue(ProbeWait).TimeSpan,
            RetryInitial = retryMax < Defaults.RetryInitial ? retryMax : Defaults.RetryInitial,
            RetryMax = retryMax,
            DefendInterval = parse.GetValue(DefendInterval).TimeSpan,
        };
    }
}
