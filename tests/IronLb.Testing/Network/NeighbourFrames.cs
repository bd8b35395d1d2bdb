using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace IronLb.Testing.Network;

/// <summary>
/// One answer on the wire: who (<paramref name="Mac"/>, lower case with colons) claimed <paramref name="Address"/>,
/// answering a request sent from <paramref name="AskedFrom"/>.
/// </summary>
public readonly record struct NeighbourAnswer(IPAddress Address, string Mac, IPAddress AskedFrom);

/// <summary>
/// The client side of ARP (RFC 826) and NDP (RFC 4861): a who-has request for an address, and reading the
/// answer to it out of a received frame. Written here rather than borrowed from IronLb.Networking so the judge
/// of the speakers' replies does not share their codec. Only answers addressed to us count: a gratuitous ARP
/// or an unsolicited advertisement is an announcement, not an answer to a probe.
/// </summary>
public static class NeighbourFrames
{
    public const ushort EtherTypeArp = 0x0806;
    public const ushort EtherTypeIpv6 = 0x86DD;
    public const int ArpFrameLength = 42;
    public const int SolicitationFrameLength = 14 + 40 + 32;

    /// <summary>Broadcast ARP request from (<paramref name="mac"/>, <paramref name="ip"/>) for <paramref name="target"/>.</summary>
    public static int WriteArpRequest(Span<byte> frame, PhysicalAddress mac, IPAddress ip, IPAddress target)
    {
        var own = mac.GetAddressBytes();
        frame[..ArpFrameLength].Clear();
        frame[..6].Fill(0xFF);
        own.CopyTo(frame[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], EtherTypeArp);
        BinaryPrimitives.WriteUInt16BigEndian(frame[14..], 1); // Ethernet
        BinaryPrimitives.WriteUInt16BigEndian(frame[16..], 0x0800);
        frame[18] = 6;
        frame[19] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(frame[20..], 1); // request
        own.CopyTo(frame[22..]);
        ip.GetAddressBytes().CopyTo(frame[28..]);
        target.GetAddressBytes().CopyTo(frame[38..]);
        return ArpFrameLength;
    }

    /// <summary>Neighbour solicitation for <paramref name="target"/> to its solicited-node group, from <paramref name="ip"/>, with our link-layer address.</summary>
    public static int WriteSolicitation(Span<byte> frame, PhysicalAddress mac, IPAddress ip, IPAddress target)
    {
        var own = mac.GetAddressBytes();
        var targetBytes = target.GetAddressBytes();
        frame[..SolicitationFrameLength].Clear();
        // 33:33 + the group's low 32 bits; the group is ff02::1:ff + the target's low 24 bits.
        frame[0] = 0x33;
        frame[1] = 0x33;
        frame[2] = 0xFF;
        targetBytes.AsSpan(13, 3).CopyTo(frame[3..]);
        own.CopyTo(frame[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], EtherTypeIpv6);
        var ipv6 = frame[14..];
        ipv6[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(ipv6[4..], 32);
        ipv6[6] = 58; // ICMPv6
        ipv6[7] = 255; // receivers drop NDP with any other hop limit
        ip.GetAddressBytes().CopyTo(ipv6[8..]);
        var group = ipv6.Slice(24, 16);
        group[0] = 0xFF;
        group[1] = 0x02;
        group[11] = 0x01;
        group[12] = 0xFF;
        targetBytes.AsSpan(13, 3).CopyTo(group[13..]);
        var icmp = frame.Slice(54, 32);
        icmp[0] = 135;
        targetBytes.CopyTo(icmp[8..]);
        icmp[24] = 1; // source link-layer address option, 8 bytes
        icmp[25] = 1;
        own.CopyTo(icmp[26..]);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], Icmpv6Checksum(ipv6.Slice(8, 16), group, icmp));
        return SolicitationFrameLength;
    }

    /// <summary>An ARP reply to <paramref name="mac"/>, or a solicited neighbour advertisement; null for anything else.</summary>
    public static NeighbourAnswer? ReadAnswer(ReadOnlySpan<byte> frame, PhysicalAddress mac)
    {
        if (frame.Length < 14)
        {
            return null;
        }

        var own = mac.GetAddressBytes();
        switch (BinaryPrimitives.ReadUInt16BigEndian(frame[12..]))
        {
            case EtherTypeArp when frame.Length >= ArpFrameLength
                && BinaryPrimitives.ReadUInt16BigEndian(frame[20..]) == 2 && frame[18] == 6 && frame[19] == 4
                && frame.Slice(32, 6).SequenceEqual(own):
                return new NeighbourAnswer(new IPAddress(frame.Slice(28, 4)), Format(frame.Slice(22, 6)), new IPAddress(frame.Slice(38, 4)));
            case EtherTypeIpv6 when frame.Length >= 14 + 40 + 24 && frame[20] == 58 && frame[54] == 136 && (frame[58] & 0x40) != 0:
                // The target link-layer option names the answerer; without one, the frame's source does.
                var answerer = frame.Slice(6, 6);
                for (var at = 78; at + 8 <= frame.Length && frame[at + 1] > 0; at += frame[at + 1] * 8)
                {
                    if (frame[at] == 2 && frame[at + 1] == 1)
                    {
                        answerer = frame.Slice(at + 2, 6);
                        break;
                    }
                }

                return new NeighbourAnswer(new IPAddress(frame.Slice(62, 16)), Format(answerer), new IPAddress(frame.Slice(38, 16)));
            default:
                return null;
        }
    }

    public static string Format(ReadOnlySpan<byte> mac) => Convert.ToHexString(mac).ToLowerInvariant() is var hex
        ? string.Join(':', Enumerable.Range(0, hex.Length / 2).Select(i => hex.Substring(i * 2, 2)))
        : "";

    public static bool IsIpv4(IPAddress address) => address.AddressFamily == AddressFamily.InterNetwork;

    private static ushort Icmpv6Checksum(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, ReadOnlySpan<byte> icmp)
    {
        uint sum = 0;
        static uint Add(uint sum, ReadOnlySpan<byte> data)
        {
            for (var i = 0; i + 1 < data.Length; i += 2)
            {
                sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
            }

            return data.Length % 2 == 1 ? sum + ((uint)data[^1] << 8) : sum;
        }

        sum = Add(sum, source);
        sum = Add(sum, destination);
        sum += (uint)icmp.Length;
        sum += 58;
        sum = Add(sum, icmp);
        while (sum > 0xFFFF)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }
}
