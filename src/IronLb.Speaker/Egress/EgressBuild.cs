using System.Collections.Immutable;
using IronLb.Core.Allocation;
using IronLb.Core.Egress;
using IronLb.Networking.Egress;

namespace IronLb.Speaker.Egress;

/// <summary>Why one Service's egress (or the whole node's) cannot be set up as asked; becomes an egressFailed event.</summary>
/// <param name="Service">The Service, or null for a problem of the node's input (an unreadable pod range).</param>
/// <param name="Message">What is wrong and what the traffic does meanwhile.</param>
internal sealed record EgressProblem(ServiceKey? Service, string Message);

/// <summary>One evaluation's egress: what to program here, what each labelled Service does, and what cannot be done.</summary>
internal sealed record EgressBuild(
    EgressRuleSet RuleSet,
    ImmutableArray<(ServiceKey Service, ImmutableArray<FamilyEgress> Paths)> Services,
    ImmutableArray<EgressProblem> Problems)
{
    public static EgressBuild None { get; } = new(EgressRuleSet.Empty, [], []);
}
