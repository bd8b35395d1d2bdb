namespace IronLb.Networking.Egress;

public enum EgressApplyOutcome
{
    /// <summary>The kernel now holds the set.</summary>
    Applied,

    /// <summary>The set equals the last one applied: nothing was written.</summary>
    Unchanged,

    /// <summary>Something was refused or is missing; <see cref="EgressApplyResult.Reason"/> says what. The next
    /// Apply writes everything again.</summary>
    Failed,
}

/// <summary>What one Apply or Clear did; <see cref="Reason"/> is the text for an `egressFailed` event.</summary>
public sealed record EgressApplyResult(EgressApplyOutcome Outcome, string? Reason = null)
{
    public static EgressApplyResult Applied { get; } = new(EgressApplyOutcome.Applied);

    public static EgressApplyResult Unchanged { get; } = new(EgressApplyOutcome.Unchanged);

    public static EgressApplyResult Failed(string reason) => new(EgressApplyOutcome.Failed, reason);
}
