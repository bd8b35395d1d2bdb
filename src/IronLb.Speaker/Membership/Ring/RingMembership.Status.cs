using System.Collections.Immutable;

namespace IronLb.Speaker.Membership.Ring;

/// <summary>What the speaker reports about the ring: why each member is or is not in the election set.</summary>
internal sealed partial class RingMembership
{
    /// <summary>Changes whenever a verdict is applied: the standings (and the election set) are worth reading again.</summary>
    public long BookVersion => _book.Version;

    /// <summary>Every member's standing in this node's verdict book, by name, for the view and its log line.</summary>
    public ImmutableSortedDictionary<string, RingStanding> Standings()
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<string, RingStanding>(StringComparer.Ordinal);
        for (var i = 0; i < _table.Count; i++)
        {
            builder[_table.Names[i]] = _book[i] switch
            {
                null => RingStanding.Unknown,
                { Kind: VerdictKind.Alive, Eligible: true } => RingStanding.Electable,
                { Kind: VerdictKind.Alive } => RingStanding.NotEligible,
                { Kind: VerdictKind.Left } => RingStanding.Left,
                _ => RingStanding.Dead,
            };
        }

        return builder.ToImmutable();
    }
}

/// <summary>A member's standing in a verdict book.</summary>
internal enum RingStanding
{
    /// <summary>No verdict yet: the member has not joined (or this node has not heard of its join).</summary>
    Unknown,
    Electable,
    NotEligible,
    Left,
    Dead,
}
