using System.Globalization;

namespace IronLb.Core.Configuration;

/// <summary>
/// A BGP community: standard (RFC 1997, "A:B", two 16-bit halves) or large (RFC 8092, "large:G:L1:L2",
/// three 32-bit parts). Ordered as MetalLB orders them: a standard community compares as the large
/// community (A&lt;&lt;16|B):0:0, so mixed lists sort the same way in both implementations.
/// </summary>
public readonly record struct BgpCommunity : IComparable<BgpCommunity>
{
    private const string LargeMarker = "large";

    private BgpCommunity(bool isLarge, uint global, uint local1, uint local2)
    {
        IsLarge = isLarge;
        GlobalAdministrator = global;
        LocalData1 = local1;
        LocalData2 = local2;
    }

    public bool IsLarge { get; }

    /// <summary>For a standard community, its 32-bit value (A&lt;&lt;16 | B), as it goes on the wire.</summary>
    public uint GlobalAdministrator { get; }

    public uint LocalData1 { get; }

    public uint LocalData2 { get; }

    public static BgpCommunity Standard(ushort high, ushort low) => new(false, ((uint)high << 16) | low, 0, 0);

    public static BgpCommunity Large(uint global, uint local1, uint local2) => new(true, global, local1, local2);

    /// <summary>
    /// Parses "A:B" or "large:G:L1:L2" with MetalLB's rules (decimal parts, no signs or spaces). An error is
    /// either a bad value (the shape is right, a part is not) or, with <paramref name="badFormat"/> set, a
    /// text of neither shape, which in an advertisement can only have been meant as a Community alias.
    /// </summary>
    public static bool TryParse(string text, out BgpCommunity community, out string error, out bool badFormat)
    {
        ArgumentNullException.ThrowIfNull(text);
        community = default;
        error = string.Empty;
        badFormat = false;
        var parts = text.Split(':');
        switch (parts.Length)
        {
            case 2:
                if (!TryPart(parts[0], text, ushort.MaxValue, out var high, out error) || !TryPart(parts[1], text, ushort.MaxValue, out var low, out error))
                {
                    return false;
                }

                community = Standard((ushort)high, (ushort)low);
                return true;
            case 4:
                if (!string.Equals(parts[0], LargeMarker, StringComparison.Ordinal))
                {
                    error = $"invalid community value: invalid marker for large community, expected community to be of format {LargeMarker}:<uint32>:<uint32>:<uint32> but got \"{text}\" instead";
                    return false;
                }

                if (!TryPart(parts[1], text, uint.MaxValue, out var global, out error)
                    || !TryPart(parts[2], text, uint.MaxValue, out var local1, out error)
                    || !TryPart(parts[3], text, uint.MaxValue, out var local2, out error))
                {
                    return false;
                }

                community = Large(global, local1, local2);
                return true;
            default:
                badFormat = true;
                error = $"invalid community format: {text}";
                return false;
        }
    }

    // Go's strconv.ParseUint(s, 10, bits): ASCII digits only (leading zeros allowed), within range.
    private static bool TryPart(string part, string text, uint max, out uint value, out string error)
    {
        value = 0;
        error = string.Empty;
        var digitsOnly = part.Length > 0 && part.All(char.IsAsciiDigit);
        if (digitsOnly && ulong.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed <= max)
        {
            value = (uint)parsed;
            return true;
        }

        var why = digitsOnly ? $"value out of range (0-{max})" : "not a decimal number";
        error = $"invalid community value: invalid section \"{part}\" of community \"{text}\": {why}";
        return false;
    }

    public int CompareTo(BgpCommunity other)
    {
        var order = GlobalAdministrator.CompareTo(other.GlobalAdministrator);
        if (order == 0)
        {
            order = LocalData1.CompareTo(other.LocalData1);
        }

        if (order == 0)
        {
            order = LocalData2.CompareTo(other.LocalData2);
        }

        return order != 0 ? order : IsLarge.CompareTo(other.IsLarge);
    }

    public static bool operator <(BgpCommunity left, BgpCommunity right) => left.CompareTo(right) < 0;

    public static bool operator >(BgpCommunity left, BgpCommunity right) => left.CompareTo(right) > 0;

    public static bool operator <=(BgpCommunity left, BgpCommunity right) => left.CompareTo(right) <= 0;

    public static bool operator >=(BgpCommunity left, BgpCommunity right) => left.CompareTo(right) >= 0;

    /// <summary>"A:B" or "large:G:L1:L2": the form it was written in, so it parses back to itself.</summary>
    public override string ToString() => IsLarge
        ? string.Create(CultureInfo.InvariantCulture, $"{LargeMarker}:{GlobalAdministrator}:{LocalData1}:{LocalData2}")
        : string.Create(CultureInfo.InvariantCulture, $"{GlobalAdministrator >> 16}:{GlobalAdministrator & 0xFFFF}");
}
