using k8s.Models;

namespace IronLb.Kubernetes.Status;

/// <summary>
/// The conditions on a ServiceL2Status, IronLB's addition to MetalLB's object (#16): the names a speaker writes and
/// `ironlb status` reads, and the two pure steps of writing conditions as Kubernetes means them to be written. A
/// condition's lastTransitionTime says when its status last flipped, so rewriting the same status keeps it; and a
/// write that would change nothing is not sent at all, so a speaker re-evaluating every second writes nothing.
/// </summary>
public static class ServiceL2Conditions
{
    /// <summary>Condition type: another host on the LAN uses the Service's address.</summary>
    public const string AddressConflict = "AddressConflict";

    /// <summary>Reason, status True: another host answered the probe before the first announcement; the address is not announced.</summary>
    public const string AddressInUse = "AddressInUse";

    /// <summary>Reason, status True: another host claims the address while this node announces it; it stays announced and is defended.</summary>
    public const string AddressClaimed = "AddressClaimed";

    /// <summary>Reason, status False: the conflict ended.</summary>
    public const string NoConflict = "NoConflict";

    /// <summary>
    /// The conditions to write: <paramref name="desired"/> (type, status, reason, message, observedGeneration) merged over
    /// <paramref name="existing"/> by type. A desired condition replaces the existing one of its type in place, or is
    /// appended; existing conditions of other types stay as they are. Its lastTransitionTime is the existing one's when
    /// the status did not change (and it has one), <paramref name="now"/> otherwise (to whole seconds, UTC: what the API
    /// server keeps).
    /// Null reasons and messages become empty, because the schema requires both fields.
    /// </summary>
    public static List<V1Condition> Merge(IReadOnlyList<V1Condition>? existing, IReadOnlyList<V1Condition> desired, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var stamp = WholeSecondsUtc(now);
        var merged = (existing ?? []).Select(Copy).ToList();
        foreach (var wanted in desired)
        {
            var index = merged.FindIndex(c => string.Equals(c.Type, wanted.Type, StringComparison.Ordinal));
            var previous = index < 0 ? null : merged[index];
            var unchanged = previous is not null && string.Equals(previous.Status, wanted.Status, StringComparison.Ordinal);
            var condition = new V1Condition
            {
                Type = wanted.Type,
                Status = wanted.Status,
                Reason = wanted.Reason ?? "",
                Message = wanted.Message ?? "",
                ObservedGeneration = wanted.ObservedGeneration,
                // An existing condition without a time (default) gets one: the schema requires it.
                LastTransitionTime = unchanged && previous!.LastTransitionTime != default ? previous.LastTransitionTime : stamp,
            };
            if (index < 0)
            {
                merged.Add(condition);
            }
            else
            {
                merged[index] = condition;
            }
        }

        return merged;
    }

    /// <summary>
    /// Whether writing <paramref name="desired"/> with <see cref="Merge"/> would change anything in <paramref name="existing"/>
    /// that matters (type, status, reason, message): some desired condition is missing there or says something else.
    /// Order does not matter, nor do existing conditions of types not desired (the merge keeps them).
    /// </summary>
    public static bool Differ(IReadOnlyList<V1Condition>? existing, IReadOnlyList<V1Condition> desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        return desired.Any(wanted =>
            existing?.FirstOrDefault(c => string.Equals(c.Type, wanted.Type, StringComparison.Ordinal)) is not { } have
            || !string.Equals(have.Status, wanted.Status, StringComparison.Ordinal)
            || !string.Equals(have.Reason ?? "", wanted.Reason ?? "", StringComparison.Ordinal)
            || !string.Equals(have.Message ?? "", wanted.Message ?? "", StringComparison.Ordinal));
    }

    // The wire types are mutable; the result must not share objects with the caller's list.
    private static V1Condition Copy(V1Condition c) => new()
    {
        Type = c.Type,
        Status = c.Status,
        Reason = c.Reason,
        Message = c.Message,
        ObservedGeneration = c.ObservedGeneration,
        LastTransitionTime = c.LastTransitionTime,
    };

    // metav1.Time is RFC 3339 to the second; a fraction written here would read back different and look like a change.
    private static DateTime WholeSecondsUtc(DateTime now)
    {
        var utc = now.Kind switch
        {
            DateTimeKind.Local => now.ToUniversalTime(),
            DateTimeKind.Unspecified => DateTime.SpecifyKind(now, DateTimeKind.Utc),
            _ => now,
        };
        return new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
    }
}
