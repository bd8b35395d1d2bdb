using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace IronLb.Core.Addressing;

/// <summary>
/// An IPv4 or IPv6 address as a 128-bit integer. Parsing is as strict as Go's net.ParseIP (which
/// MetalLB uses): dotted quads without leading zeros, no zone, no shorthand IPv4. An IPv4-mapped IPv6
/// address is IPv4, as Go treats it. Text is Go's net.IP.String(): dotted IPv4, RFC 5952 IPv6 — the
/// L2 election hashes this text, so it must match byte for byte.
/// </summary>
public readonly record struct Address(IpFamily Family, UInt128 Value) : IComparable<Address>
{
    private static readonly UInt128 MappedPrefix = (UInt128)0xFFFF << 32;

    public int Bits => Family == IpFamily.IPv4 ? 32 : 128;

    public UInt128 MaxValue => Family == IpFamily.IPv4 ? uint.MaxValue : UInt128.MaxValue;

    /// <summary>IPv4 addresses ending in .0 or .255, which avoidBuggyIPs keeps out of a pool.</summary>
    public bool IsBuggy => Family == IpFamily.IPv4 && ((byte)Value is 0 or 255);

    public static Address IPv4(uint value) => new(IpFamily.IPv4, value);

    public static Address IPv6(UInt128 value) => new(IpFamily.IPv6, value);

    public Address Add(UInt128 offset) => this with { Value = Value + offset };

    public int CompareTo(Address other) =>
        Family != other.Family ? Family.CompareTo(other.Family) : Value.CompareTo(other.Value);

    public static bool operator <(Address left, Address right) => left.CompareTo(right) < 0;

    public static bool operator >(Address left, Address right) => left.CompareTo(right) > 0;

    public static bool operator <=(Address left, Address right) => left.CompareTo(right) <= 0;

    public static bool operator >=(Address left, Address right) => left.CompareTo(right) >= 0;

    public static Address Parse(string text) =>
        TryParse(text, out var address) ? address : throw new FormatException($"invalid IP address \"{text}\"");

    public static bool TryParse([NotNullWhen(true)] string? text, out Address address)
    {
        address = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (text.Contains(':', StringComparison.Ordinal))
        {
            if (!TryParseIPv6(text, out var value))
            {
                return false;
            }

            // Go's To4() turns ::ffff:a.b.c.d into IPv4; MetalLB's family checks follow it.
            address = (value >> 32) == (MappedPrefix >> 32) ? IPv4((uint)value) : IPv6(value);
            return true;
        }

        if (TryParseIPv4(text, out var v4))
        {
            address = IPv4(v4);
            return true;
        }

        return false;
    }

    private static bool TryParseIPv4(ReadOnlySpan<char> text, out uint value)
    {
        value = 0;
        var parts = 0;
        while (true)
        {
            var end = text.IndexOf('.');
            var part = end < 0 ? text : text[..end];
            if (part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0'))
            {
                return false;
            }

            var octet = 0;
            foreach (var c in part)
            {
                if (!char.IsAsciiDigit(c))
                {
                    return false;
                }

                octet = (octet * 10) + (c - '0');
            }

            if (octet > 255)
            {
                return false;
            }

            value = (value << 8) | (uint)octet;
            parts++;
            if (end < 0)
            {
                return parts == 4;
            }

            if (parts == 4)
            {
                return false;
            }

            text = text[(end + 1)..];
        }
    }

    private static bool TryParseIPv6(string text, out UInt128 value)
    {
        value = 0;
        var doubleColon = text.IndexOf("::", StringComparison.Ordinal);
        if (doubleColon >= 0 && text.IndexOf("::", doubleColon + 1, StringComparison.Ordinal) >= 0)
        {
            return false;
        }

        var head = doubleColon >= 0 ? text[..doubleColon] : text;
        var tail = doubleColon >= 0 ? text[(doubleColon + 2)..] : string.Empty;
        // An embedded IPv4 address may only replace the final two groups.
        if (!TryParseGroups(head, allowIPv4: doubleColon < 0, out var headGroups) || !TryParseGroups(tail, allowIPv4: true, out var tailGroups))
        {
            return false;
        }

        var total = headGroups.Count + tailGroups.Count;
        if (doubleColon >= 0 ? total > 7 : total != 8)
        {
            return false;
        }

        var groups = new ushort[8];
        headGroups.CopyTo(groups, 0);
        tailGroups.CopyTo(groups, 8 - tailGroups.Count);
        foreach (var group in groups)
        {
            value = (value << 16) | group;
        }

        return true;
    }

    // Groups separated by single colons; the last may be a dotted quad (two groups).
    private static bool TryParseGroups(string text, bool allowIPv4, out List<ushort> groups)
    {
        groups = [];
        if (text.Length == 0)
        {
            return true;
        }

        var parts = text.Split(':');
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (allowIPv4 && i == parts.Length - 1 && part.Contains('.', StringComparison.Ordinal))
            {
                if (!TryParseIPv4(part, out var v4))
                {
                    return false;
                }

                groups.Add((ushort)(v4 >> 16));
                groups.Add((ushort)v4);
                continue;
            }

            if (part.Length is 0 or > 4 || !ushort.TryParse(part, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var group))
            {
                return false;
            }

            groups.Add(group);
        }

        return true;
    }

    public override string ToString()
    {
        if (Family == IpFamily.IPv4)
        {
            var v = (uint)Value;
            return string.Create(CultureInfo.InvariantCulture, $"{v >> 24}.{(v >> 16) & 0xFF}.{(v >> 8) & 0xFF}.{v & 0xFF}");
        }

        Span<ushort> groups = stackalloc ushort[8];
        for (var i = 0; i < 8; i++)
        {
            groups[i] = (ushort)(Value >> (112 - (16 * i)));
        }

        // RFC 5952: compress the longest run of two or more zero groups, the first on a tie.
        int bestStart = -1, bestLength = 1;
        for (var i = 0; i < 8;)
        {
            if (groups[i] != 0)
            {
                i++;
                continue;
            }

            var start = i;
            while (i < 8 && groups[i] == 0)
            {
                i++;
            }

            if (i - start > bestLength)
            {
                bestStart = start;
                bestLength = i - start;
            }
        }

        var builder = new StringBuilder(39);
        for (var i = 0; i < 8; i++)
        {
            if (i == bestStart)
            {
                builder.Append("::");
                i += bestLength - 1;
                continue;
            }

            if (builder.Length > 0 && builder[^1] != ':')
            {
                builder.Append(':');
            }

            builder.Append(groups[i].ToString("x", CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }
}
