using System.Collections.Immutable;
using IronLb.Kubernetes.Status;
using k8s.Models;

namespace IronLb.Speaker.Cluster;

/// <summary>One condition as the speaker wants it on a ServiceL2Status; the transition time is the writer's business.</summary>
internal sealed record StatusCondition(string Type, string Status, string Reason, string Message);

/// <summary>
/// What this node's ServiceL2Status for one Service should say: the interfaces (empty for all) and the conditions
/// (IronLB's addition: an address conflict, issue 16). Equality is by content, so an unchanged evaluation writes nothing.
/// </summary>
internal sealed record L2StatusDesired(ImmutableArray<string> Interfaces, ImmutableArray<StatusCondition> Wanted)
{
    public static L2StatusDesired Plain(ImmutableArray<string> interfaces) => new(interfaces, []);

    public bool Same(L2StatusDesired other) =>
        Interfaces.SequenceEqual(other.Interfaces) && Wanted.SequenceEqual(other.Wanted);

    /// <summary>
    /// The conditions to write over <paramref name="observed"/>, or null when nothing would change. Wanting none
    /// while the object has some clears them (an empty list).
    /// </summary>
    public List<V1Condition>? Conditions(IReadOnlyList<V1Condition>? observed, DateTime now)
    {
        if (Wanted.IsEmpty)
        {
            return observed is { Count: > 0 } ? [] : null;
        }

        var desired = Wanted.Select(c => new V1Condition { Type = c.Type, Status = c.Status, Reason = c.Reason, Message = c.Message }).ToList();
        return ServiceL2Conditions.Differ(observed, desired) || observed is null ? ServiceL2Conditions.Merge(observed, desired, now) : null;
    }
}
