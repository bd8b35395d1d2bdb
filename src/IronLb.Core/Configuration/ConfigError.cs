using System.Collections.Immutable;

namespace IronLb.Core.Configuration;

/// <summary>
/// One problem with one configuration object. Field is the offending field's path as kubectl writes it
/// ("spec.addresses[1]", "spec.ipAddressPools[0]"), or null when the object as a whole is at fault; readers
/// that know positions (manifest files) turn it into a line.
/// </summary>
public sealed record ConfigError(ObjectRef Target, string Message, string? Field = null)
{
    public override string ToString() => $"{Target}: {Message}";
}

/// <summary>
/// The parser's answer. <see cref="Config"/> is set only when there are no errors (all or nothing, so a
/// bad configuration never replaces a good one); <see cref="Partial"/> always holds the objects that were
/// valid on their own, for tools that want to show as much as they can (plan).
/// Errors and warnings are the one decision every consumer shares: an error rejects the whole configuration
/// (the controller and speaker keep their last good one, plan exits 1); a warning is something MetalLB v0.16.1
/// accepts silently, such as an advertisement naming a pool that does not exist, so the configuration loads
/// and the warning is only reported (plan's WARNINGS, the speaker's log).
/// </summary>
public sealed record ConfigParseResult(
    LoadBalancerConfig? Config,
    LoadBalancerConfig Partial,
    ImmutableArray<ConfigError> Errors,
    ImmutableArray<ConfigError> Warnings)
{
    public bool IsValid => Errors.IsEmpty;
}
