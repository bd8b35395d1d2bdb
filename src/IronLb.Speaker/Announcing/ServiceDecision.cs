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
    /// <summary>MetalLB's event reason and log reason for a Service elected here that cannot be announced here.</summary>
    public const string AnnounceFailed = "announceFailed";

    public bool Announces => Decision == AnnounceDecision.Announce && !Interfaces.IsNone;

    /// <summary>
    /// Why this node does not announce the Service, as logged on a withdraw: MetalLB's reason, or
    /// <see cref="AnnounceFailed"/> when it was elected but has no interface to answer on.
    /// </summary>
    public string WithdrawReason => Decision == AnnounceDecision.Announce ? AnnounceFailed : Decision.ToWire();

    /// <summary>Elected, but none of these configured interfaces exists on this host (MetalLB's announceFailed).</summary>
    public ImmutableArray<string> InterfacesMissing { get; init; } = [];

    /// <summary>Addresses elected here but held back: another host on the LAN answers for them, or they are being probed (issue 16).</summary>
    public ImmutableArray<string> HeldBack { get; init; } = [];
}
