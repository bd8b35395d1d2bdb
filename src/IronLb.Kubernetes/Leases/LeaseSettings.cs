namespace IronLb.Kubernetes.Leases;

/// <summary>
/// Lease timing, as client-go's leader election names it, plus the two bounds that make leadership fenced:
/// each renewal attempt's timeout and each fenced write's timeout.
/// </summary>
/// <remarks>
/// The safety argument (docs/api-faults.md): the leader's term ends, on its own monotonic clock, at
/// (send time of its last successful renewal) + <see cref="RenewDeadline"/>, and its in-flight writes are
/// cancelled then; a write sent just before has at most <see cref="WriteTimeout"/> to land. Every other replica
/// waits <see cref="LeaseDuration"/> from when it saw that renewal, which was after it was sent. So
/// RenewDeadline + WriteTimeout &lt; LeaseDuration means the old leader's last write lands before anyone else
/// can take the lease.
/// </remarks>
public sealed record LeaseSettings(string Namespace, string Name, string Identity, TimeSpan LeaseDuration, TimeSpan RenewDeadline, TimeSpan RetryPeriod)
{
    /// <summary>How long one acquire or renew attempt (a read and a write) may take; null means half the renew deadline.</summary>
    public TimeSpan? AttemptTimeout { get; init; }

    /// <summary>How long a fenced write (status, events, pool status) may take; null means 80 % of (lease duration − renew deadline).</summary>
    public TimeSpan? WriteTimeout { get; init; }

    public TimeSpan EffectiveAttemptTimeout => AttemptTimeout ?? RenewDeadline / 2;

    public TimeSpan EffectiveWriteTimeout => WriteTimeout ?? (LeaseDuration - RenewDeadline) * 0.8;

    /// <summary>Every broken bound (collect-all), each saying which flags to change; empty when the settings are safe.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        foreach (var (name, value) in new[] { ("lease duration", LeaseDuration), ("renew deadline", RenewDeadline), ("retry period", RetryPeriod), ("renew attempt timeout", EffectiveAttemptTimeout), ("write timeout", EffectiveWriteTimeout) })
        {
            if (value <= TimeSpan.Zero)
            {
                errors.Add($"the {name} must be positive, not {value.TotalSeconds:0.###} s");
            }
        }

        if (RetryPeriod >= RenewDeadline)
        {
            errors.Add($"the retry period ({RetryPeriod.TotalSeconds:0.###} s) must be shorter than the renew deadline ({RenewDeadline.TotalSeconds:0.###} s), or a leader gets no second attempt");
        }

        if (EffectiveAttemptTimeout >= RenewDeadline)
        {
            errors.Add($"the renew attempt timeout ({EffectiveAttemptTimeout.TotalSeconds:0.###} s) must be shorter than the renew deadline ({RenewDeadline.TotalSeconds:0.###} s)");
        }

        if (RenewDeadline + EffectiveWriteTimeout >= LeaseDuration)
        {
            errors.Add($"renew deadline + write timeout ({RenewDeadline.TotalSeconds:0.###} s + {EffectiveWriteTimeout.TotalSeconds:0.###} s) must be shorter than the lease duration ({LeaseDuration.TotalSeconds:0.###} s), or a deposed leader's last write could land after another replica took over");
        }

        return errors;
    }
}
