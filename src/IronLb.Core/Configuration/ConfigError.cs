using System.Collections.Immutable;

namespace IronLb.Core.Configuration;

/// <summary>One problem with one configuration object.</summary>
public sealed record ConfigError(ObjectRef Target, string Message)
{
    public override string ToString() => $"{Target}: {Message}";
}

/// <summary>
/// The parser's answer. <see cref="Config"/> is set only when there are no errors (all or nothing, so a
/// bad configuration never replaces a good one); <see cref="Partial"/> always holds the objects that were
/// valid on their own, for tools that want to show as much as they can (plan).
/// Warnings are findings MetalLB accepts silently, such as an advertisement naming a pool that does not exist.
/// </summary>
public sealed record ConfigParseResult(
    LoadBalancerConfig? Config,
    LoadBalancerConfig Partial,
    ImmutableArray<ConfigError> Errors,
    ImmutableArray<ConfigError> Warnings)
{
    public bool IsValid => Errors.IsEmpty;
}
