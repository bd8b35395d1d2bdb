using System.Collections.Immutable;

namespace IronLb.Networking;

/// <summary>
/// Where an address is announced: on every eligible interface, or only on the named ones
/// (MetalLB §4.5: an L2Advertisement without <c>interfaces</c> means all).
/// </summary>
public sealed class InterfaceSelection : IEquatable<InterfaceSelection>
{
    private InterfaceSelection(bool all, ImmutableArray<string> names)
    {
        IsAll = all;
        Names = names;
    }

    public static InterfaceSelection All { get; } = new(true, []);

    public bool IsAll { get; }

    /// <summary>Sorted, distinct names; empty when <see cref="IsAll"/>.</summary>
    public ImmutableArray<string> Names { get; }

    public static InterfaceSelection Only(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        // Interned, as the responders' own interface names are, so the per-packet check usually ends at a
        // reference comparison instead of reading two strings from cold memory.
        var sorted = names.Select(string.Intern).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToImmutableArray();
        return sorted.IsEmpty ? throw new ArgumentException("at least one interface name is required; use All", nameof(names)) : new(false, sorted);
    }

    public static InterfaceSelection Only(params string[] names) => Only((IEnumerable<string>)names);

    /// <summary>Per-packet check: a linear scan over a handful of names, no allocation.</summary>
    public bool Includes(string interfaceName)
    {
        if (IsAll)
        {
            return true;
        }

        foreach (var name in Names.AsSpan())
        {
            if (string.Equals(name, interfaceName, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    public bool Equals(InterfaceSelection? other) =>
        other is not null && IsAll == other.IsAll && Names.AsSpan().SequenceEqual(other.Names.AsSpan());

    public override bool Equals(object? obj) => Equals(obj as InterfaceSelection);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(IsAll);
        foreach (var name in Names)
        {
            hash.Add(name, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    public override string ToString() => IsAll ? "*" : string.Join(',', Names);
}
