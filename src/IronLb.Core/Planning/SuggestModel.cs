using System.Collections.Immutable;

namespace IronLb.Core.Planning;

public enum SuggestFamily
{
    /// <summary>Both families when the pool has both, else the one it has.</summary>
    Auto,
    IPv4,
    IPv6,
    Dual,
}

public enum SuggestOutcome
{
    Ok,
    UnknownPool,
    PoolFull,
    FamilyMissing,
    InvalidConfiguration,
}

/// <summary>
/// Free addresses for a new Service in a pool: the lowest free IPv4 address and a random free IPv6
/// address (never the subnet-router anycast address, never one already used).
/// </summary>
public sealed record SuggestResult(SuggestOutcome Outcome, string Pool, ImmutableArray<string> Ips, string Message)
{
    /// <summary>The line to paste into the Service or Gateway metadata.annotations.</summary>
    public string Annotation => $"metallb.io/loadBalancerIPs: {string.Join(',', Ips)}";
}
