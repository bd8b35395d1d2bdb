using System.Buffers.Binary;
using System.Globalization;

namespace IronLb.Networking.Packets;

/// <summary>A 48-bit Ethernet address held in a ulong, so comparing and copying it never allocates.</summary>
public readonly record struct MacAddress(ulong Value)
{
    public const int Length = 6;

    public static MacAddress Broadcast { get; } = new(0xFFFF_FFFF_FFFFUL);

    /// <summary>33:33:00:00:00:01, the all-nodes IPv6 multicast MAC.</summary>
    public static MacAddress AllNodes { get; } = new(0x3333_0000_0001UL);

    public bool IsBroadcast => Value == 0xFFFF_FFFF_FFFFUL;

    public bool IsZero => Value == 0;

    public static MacAddress Read(ReadOnlySpan<byte> source) =>
        new(((ulong)BinaryPrimitives.ReadUInt16BigEndian(source) << 32) | BinaryPrimitives.ReadUInt32BigEndian(source[2..]));

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(Value >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(destination[2..], (uint)Value);
    }

    /// <summary>The Ethernet multicast address 33:33:xx:xx:xx:xx for an IPv6 multicast group (RFC 2464 §7).</summary>
    public static MacAddress ForIpv6Multicast(UInt128 group) => new(0x3333_0000_0000UL | (ulong)(uint)group);

    /// <summary>Parses "aa:bb:cc:dd:ee:ff" (also with '-'); sysfs and tools print this form.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out MacAddress mac)
    {
        mac = default;
        text = text.Trim();
        if (text.Length != 17)
        {
            return false;
        }

        ulong value = 0;
        for (var i = 0; i < 6; i++)
        {
            if (i > 0 && text[(i * 3) - 1] is not (':' or '-'))
            {
                return false;
            }

            if (!byte.TryParse(text.Slice(i * 3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
            {
                return false;
            }

            value = (value << 8) | b;
        }

        mac = new MacAddress(value);
        return true;
    }

    public static MacAddress Parse(string text) =>
        TryParse(text, out var mac) ? mac : throw new FormatException($"not a MAC address: '{text}'");

    public override string ToString()
    {
        Span<byte> b = stackalloc byte[Length];
        Write(b);
        return string.Create(CultureInfo.InvariantCulture, $"{b[0]:x2}:{b[1]:x2}:{b[2]:x2}:{b[3]:x2}:{b[4]:x2}:{b[5]:x2}");
    }
}
