using System.Collections.Immutable;

namespace IronLb.Speaker.Membership.ApiMode;

/// <summary>
/// One speaker's Lease as this node has seen it: the state it publishes, and when this node last saw the Lease
/// change (its renewal time or its state), on this node's monotonic clock. Never the Lease's own time: the
/// writer's wall clock says nothing about whether this node's view of the API is current.
/// </summary>
internal readonly record struct LeaseSighting(string State, long ChangedAt);

/// <summary>
/// This node's own last successful Lease write: what it said, when a write with that state first returned
/// (from then on, any other speaker reading the API has been able to see it), and when the latest successful
/// write was started (the API held this node's renewal no earlier than that).
/// </summary>
internal readonly record struct OwnLeaseWrite(string State, long StateConfirmedAt, long LastSuccessStartedAt);

/// <summary>What the API has told this node about the speakers, as of one moment: an immutable snapshot.</summary>
internal sealed record LeaseEvidence(ImmutableDictionary<string, LeaseSighting> Sightings, OwnLeaseWrite? OwnWrite)
{
    public static LeaseEvidence None { get; } = new(ImmutableDictionary.Create<string, LeaseSighting>(StringComparer.Ordinal), null);
}
