using System.Collections.Immutable;
using IronLb.Core.Allocation;
using IronLb.Core.Announcement;

namespace IronLb.Speaker.Announcing;

/// <summary>This node's decision for one LoadBalancer Service, as logged and as fed into the announce table.</summary>
/// <param name="Service">The Service.</param>
/// <param name="Decision">Announce, or MetalLB's withdraw reason.</param>
/// <param name="Ips">The Service's addresses (empty when it has none or they are invalid).</param>
/// <param name="Interfaces">Where this node announces them; <see cref="InterfaceSelection.None"/> unless announcing.</param>
/// <param name="Winner">The elected node, when there is one.</param>
internal sealed record ServiceDecision(
    ServiceKey Service,
    AnnounceDecision Decision,
    ImmutableArray<string> Ips,
    InterfaceSelection Interfaces,
    string? Winner)
{
    public bool Announces => Decision == AnnounceDecision.Announce && !Interfaces.IsNone;

    /// <summary>Elected, but none of these configured interfaces exists on this host (MetalLB's announceFailed).</summary>
    public ImmutableArray<string> InterfacesMissing { get; init; } = [];
}
