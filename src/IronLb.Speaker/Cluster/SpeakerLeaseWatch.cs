using IronLb.Kubernetes.Informers;
using IronLb.Speaker.Membership.ApiMode;
using k8s.Models;

namespace IronLb.Speaker.Cluster;

/// <summary>
/// Turns the speakers' Lease events and this node's own successful writes into <see cref="LeaseEvidence"/> for the
/// ring's API mode. A Lease is fresh from the moment this node sees it change (a renewal or a new state), on this
/// node's monotonic clock: the writer's renewTime is never compared with a local wall clock. A Lease first seen in a
/// list is not fresh until it changes again (one renewal period), because a list cannot tell a live Lease from one
/// its owner left long ago. A deleted Lease keeps its sighting and goes stale on its own: its owner re-creates it
/// within a period, and a deletion must not hand anyone's share to others while that owner still answers.
/// </summary>
internal sealed class SpeakerLeaseWatch(TimeProvider time)
{
    private readonly Lock _gate = new();
    private volatile LeaseEvidence _evidence = LeaseEvidence.None;

    /// <summary>The latest snapshot; safe to read from any thread.</summary>
    public LeaseEvidence Evidence => _evidence;

    /// <summary>An informer event on the speaker's namespace's Leases (others are ignored by name).</summary>
    public void Observe(InformerChange<V1Lease> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (change.Old is not { } old || change.New is not { } lease || !Changed(old, lease)
            || !SpeakerLease.TryRead(lease, out var node, out _))
        {
            return;
        }

        var sighting = new LeaseSighting(State(lease), time.GetTimestamp());
        lock (_gate)
        {
            _evidence = _evidence with { Sightings = _evidence.Sightings.SetItem(node, sighting) };
        }
    }

    /// <summary>This node's renewer wrote its Lease: the write was started at <paramref name="startedAt"/> and returned at <paramref name="returnedAt"/>.</summary>
    public void Written(SpeakerLeaseContent content, long startedAt, long returnedAt)
    {
        ArgumentNullException.ThrowIfNull(content);
        lock (_gate)
        {
            var own = _evidence.OwnWrite is { } last && string.Equals(last.State, content.State, StringComparison.Ordinal)
                ? last with { LastSuccessStartedAt = startedAt }
                : new OwnLeaseWrite(content.State, returnedAt, startedAt);
            _evidence = _evidence with { OwnWrite = own };
        }
    }

    private static bool Changed(V1Lease old, V1Lease lease) =>
        old.Spec?.RenewTime != lease.Spec?.RenewTime || !string.Equals(State(old), State(lease), StringComparison.Ordinal);

    private static string State(V1Lease lease) => lease.Metadata?.Annotations?.Value(SpeakerLease.StateAnnotation) ?? "";
}
