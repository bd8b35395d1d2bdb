using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace IronLb.Bgp.Wire;

public static partial class BgpCodec
{
    /// <summary>
    /// The encoded length of <paramref name="message"/>, or -1 when it cannot be encoded: a field out of range
    /// (an AS_PATH segment of more than 255 ASNs, a prefix of the wrong family, capabilities beyond 255 bytes) or a
    /// result beyond 4,096 bytes.
    /// </summary>
    public static int GetEncodedLength(BgpMessage message, bool fourOctetAs)
    {
        ArgumentNullException.ThrowIfNull(message);
        var body = message switch
        {
            OpenMessage open => OpenParametersLength(open) is var p and >= 0 ? 10 + p : -1,
            UpdateMessage update => UpdateBodyLength(update, fourOctetAs),
            NotificationMessage notification => 2 + notification.Data.Count,
            KeepaliveMessage => 0,
            RouteRefreshMessage => 4,
            _ => -1,
        };
        return body < 0 || body + BgpConstants.HeaderLength > BgpConstants.MaxMessageLength ? -1 : body + BgpConstants.HeaderLength;
    }

    /// <summary>
    /// Writes <paramref name="message"/> into <paramref name="destination"/>; false (nothing written) when it
    /// cannot be encoded (<see cref="GetEncodedLength"/>) or does not fit.
    /// </summary>
    public static bool TryEncode(BgpMessage message, bool fourOctetAs, Span<byte> destination, out int written)
    {
        written = GetEncodedLength(message, fourOctetAs);
        if (written < 0 || written > destination.Length)
        {
            written = 0;
            return false;
        }

        var w = new SpanWriter(destination[..written]);
        w.Fill(0xFF, BgpConstants.MarkerLength);
        w.U16((ushort)written);
        w.U8((byte)message.Type);
        switch (message)
        {
            case OpenMessage open:
                WriteOpen(ref w, open);
                break;
            case UpdateMessage update:
                WriteUpdate(ref w, update, fourOctetAs);
                break;
            case NotificationMessage notification:
                w.U8(notification.ErrorCode);
                w.U8(notification.ErrorSubcode);
                w.Bytes(notification.Data.AsSpan());
                break;
            case RouteRefreshMessage refresh:
                w.U16((ushort)refresh.Afi);
                w.U8(refresh.Subtype);
                w.U8((byte)refresh.Safi);
                break;
            default:
                break;
        }

        return true;
    }

    /// <summary>The message as a new array; throws when it cannot be encoded (a caller's bug, not a peer's).</summary>
    public static byte[] Encode(BgpMessage message, bool fourOctetAs)
    {
        var length = GetEncodedLength(message, fourOctetAs);
        if (length < 0)
        {
            throw new ArgumentException($"The {message.Type} message cannot be encoded in {BgpConstants.MaxMessageLength} bytes with these fields.", nameof(message));
        }

        var bytes = new byte[length];
        TryEncode(message, fourOctetAs, bytes, out _);
        return bytes;
    }

    // ---- OPEN ----

    private static int CapabilityValueLength(Capability capability) => capability switch
    {
        MultiprotocolCapability or FourOctetAsCapability => 4,
        RouteRefreshCapability => 0,
        GracefulRestartCapability gr => 2 + (4 * gr.Families.Count),
        UnknownCapability u => u.Value.Count,
        _ => -1,
    };

    /// <summary>
    /// Capabilities go into optional parameters of type 2, a new parameter whenever the current one would pass
    /// 255 bytes (RFC 5492 allows several; the decoder concatenates them).
    /// </summary>
    private static int OpenParametersLength(OpenMessage open)
    {
        var total = 0;
        var current = -1;
        foreach (var capability in open.Capabilities)
        {
            var length = CapabilityValueLength(capability);
            if (length is < 0 or > 253)
            {
                return -1;
            }

            if (current < 0 || current + 2 + length > 255)
            {
                total += 2;
                current = 0;
            }

            current += 2 + length;
            total += 2 + length;
        }

        return total > 255 ? -1 : total;
    }

    private static void WriteOpen(ref SpanWriter w, OpenMessage open)
    {
        w.U8(open.Version);
        w.U16(open.MyAs);
        w.U16(open.HoldTime);
        w.U32(open.BgpIdentifier);
        w.U8((byte)OpenParametersLength(open));
        var lengthAt = -1;
        var current = -1;
        foreach (var capability in open.Capabilities)
        {
            var length = CapabilityValueLength(capability);
            if (current < 0 || current + 2 + length > 255)
            {
                w.U8(2);
                lengthAt = w.Position;
                w.U8(0);
                current = 0;
            }

            current += 2 + length;
            w.PatchU8(lengthAt, (byte)current);
            w.U8((byte)capability.Code);
            w.U8((byte)length);
            switch (capability)
            {
                case MultiprotocolCapability mp:
                    w.U16((ushort)mp.Afi);
                    w.U8(0);
                    w.U8((byte)mp.Safi);
                    break;
                case FourOctetAsCapability four:
                    w.U32(four.Asn);
                    break;
                case GracefulRestartCapability gr:
                    w.U16((ushort)((gr.RestartFlags << 12) | (gr.RestartTime & GracefulRestartCapability.MaxRestartTime)));
                    foreach (var family in gr.Families)
                    {
                        w.U16((ushort)family.Afi);
                        w.U8((byte)family.Safi);
                        w.U8(family.Flags);
                    }

                    break;
                case UnknownCapability unknown:
                    w.Bytes(unknown.Value.AsSpan());
                    break;
                default:
                    break;
            }
        }
    }

    // ---- UPDATE ----

    private static int UpdateBodyLength(UpdateMessage update, bool fourOctetAs)
    {
        var withdrawn = PrefixesLength(update.Withdrawn.AsSpan(), AddressFamily.InterNetwork);
        var nlri = PrefixesLength(update.Nlri.AsSpan(), AddressFamily.InterNetwork);
        var attributes = AttributesLength(update.Attributes.AsSpan(), fourOctetAs);
        return withdrawn < 0 || nlri < 0 || attributes < 0 ? -1 : 4 + withdrawn + attributes + nlri;
    }

    internal static int AttributesLength(ReadOnlySpan<PathAttribute> attributes, bool fourOctetAs)
    {
        var total = 0;
        foreach (var attribute in attributes)
        {
            var length = AttributeLength(attribute, fourOctetAs);
            if (length < 0)
            {
                return -1;
            }

            total += length;
        }

        return total;
    }

    /// <summary>The whole attribute, header included; -1 when it cannot be encoded.</summary>
    internal static int AttributeLength(PathAttribute attribute, bool fourOctetAs)
    {
        var value = AttributeValueLength(attribute, fourOctetAs);
        return value is < 0 or > ushort.MaxValue ? -1 : (UsesExtendedLength(attribute, value) ? 4 : 3) + value;
    }

    private static bool UsesExtendedLength(PathAttribute attribute, int valueLength) =>
        valueLength > 255 || (attribute is RawAttribute raw && (raw.RawFlags & AttributeFlags.ExtendedLength) != 0);

    private static int AttributeValueLength(PathAttribute attribute, bool fourOctetAs) => attribute switch
    {
        OriginAttribute => 1,
        AsPathAttribute path => AsPathLength(path, fourOctetAs ? 4 : 2),
        NextHopAttribute hop => hop.Address.AddressFamily == AddressFamily.InterNetwork ? 4 : -1,
        MultiExitDiscAttribute or LocalPrefAttribute => 4,
        CommunitiesAttribute c => 4 * c.Communities.Count,
        LargeCommunitiesAttribute l => 12 * l.Communities.Count,
        MpReachNlriAttribute reach => MpReachValueLength(reach),
        MpUnreachNlriAttribute unreach => AttributeReader.IsSupported(unreach.Afi, unreach.Safi)
            && PrefixesLength(unreach.Withdrawn.AsSpan(), Family(unreach.Afi)) is var n and >= 0 ? 3 + n : -1,
        RawAttribute raw => raw.Value.Count,
        _ => -1,
    };

    private static int AsPathLength(AsPathAttribute path, int size)
    {
        var total = 0;
        foreach (var segment in path.Segments)
        {
            if (segment.Asns.Count is 0 or > 255)
            {
                return -1;
            }

            total += 2 + (size * segment.Asns.Count);
        }

        return total;
    }

    private static int MpReachValueLength(MpReachNlriAttribute reach)
    {
        if (!AttributeReader.IsSupported(reach.Afi, reach.Safi))
        {
            return -1;
        }

        var family = Family(reach.Afi);
        var nextHopOk = reach.NextHop.AddressFamily == family
            && (reach.LinkLocalNextHop is null || (family == AddressFamily.InterNetworkV6 && reach.LinkLocalNextHop.AddressFamily == family));
        var nlri = PrefixesLength(reach.Nlri.AsSpan(), family);
        return nextHopOk && nlri >= 0 ? 5 + MpNextHopLength(reach) + nlri : -1;
    }

    private static int MpNextHopLength(MpReachNlriAttribute reach) =>
        reach.Afi == Afi.Ipv4 ? 4 : reach.LinkLocalNextHop is null ? 16 : 32;

    private static AddressFamily Family(Afi afi) => afi == Afi.Ipv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;

    internal static int PrefixLength(IPNetwork prefix) => 1 + ((prefix.PrefixLength + 7) / 8);

    private static int PrefixesLength(ReadOnlySpan<IPNetwork> prefixes, AddressFamily family)
    {
        var total = 0;
        foreach (var prefix in prefixes)
        {
            if (prefix.BaseAddress is null || prefix.BaseAddress.AddressFamily != family)
            {
                return -1;
            }

            total += PrefixLength(prefix);
        }

        return total;
    }

    private static void WriteUpdate(ref SpanWriter w, UpdateMessage update, bool fourOctetAs)
    {
        w.U16((ushort)PrefixesLength(update.Withdrawn.AsSpan(), AddressFamily.InterNetwork));
        WritePrefixes(ref w, update.Withdrawn.AsSpan());
        w.U16((ushort)AttributesLength(update.Attributes.AsSpan(), fourOctetAs));
        foreach (var attribute in update.Attributes)
        {
            WriteAttribute(ref w, attribute, fourOctetAs);
        }

        WritePrefixes(ref w, update.Nlri.AsSpan());
    }

    private static void WriteAttribute(ref SpanWriter w, PathAttribute attribute, bool fourOctetAs)
    {
        var length = AttributeValueLength(attribute, fourOctetAs);
        var extended = UsesExtendedLength(attribute, length);
        var flags = attribute.Flags & ~AttributeFlags.ExtendedLength;
        w.U8((byte)(flags | (extended ? AttributeFlags.ExtendedLength : 0)));
        w.U8((byte)attribute.TypeCode);
        if (extended)
        {
            w.U16((ushort)length);
        }
        else
        {
            w.U8((byte)length);
        }

        switch (attribute)
        {
            case OriginAttribute origin:
                w.U8((byte)origin.Value);
                break;
            case AsPathAttribute path:
                foreach (var segment in path.Segments)
                {
                    w.U8((byte)segment.Type);
                    w.U8((byte)segment.Asns.Count);
                    foreach (var asn in segment.Asns)
                    {
                        if (fourOctetAs)
                        {
                            w.U32(asn);
                        }
                        else
                        {
                            // RFC 6793 §4.2.2: an ASN that does not fit travels as AS_TRANS to an old speaker.
                            w.U16(asn > ushort.MaxValue ? BgpConstants.AsTrans : (ushort)asn);
                        }
                    }
                }

                break;
            case NextHopAttribute hop:
                w.Address(hop.Address);
                break;
            case MultiExitDiscAttribute med:
                w.U32(med.Value);
                break;
            case LocalPrefAttribute pref:
                w.U32(pref.Value);
                break;
            case CommunitiesAttribute communities:
                foreach (var c in communities.Communities)
                {
                    w.U32(c);
                }

                break;
            case LargeCommunitiesAttribute large:
                foreach (var c in large.Communities)
                {
                    w.U32(c.GlobalAdministrator);
                    w.U32(c.LocalData1);
                    w.U32(c.LocalData2);
                }

                break;
            case MpReachNlriAttribute reach:
                w.U16((ushort)reach.Afi);
                w.U8((byte)reach.Safi);
                w.U8((byte)MpNextHopLength(reach));
                w.Address(reach.NextHop);
                if (reach.LinkLocalNextHop is not null)
                {
                    w.Address(reach.LinkLocalNextHop);
                }

                w.U8(0);
                WritePrefixes(ref w, reach.Nlri.AsSpan());
                break;
            case MpUnreachNlriAttribute unreach:
                w.U16((ushort)unreach.Afi);
                w.U8((byte)unreach.Safi);
                WritePrefixes(ref w, unreach.Withdrawn.AsSpan());
                break;
            case RawAttribute raw:
                w.Bytes(raw.Value.AsSpan());
                break;
            default:
                break;
        }
    }

    private static void WritePrefixes(ref SpanWriter w, ReadOnlySpan<IPNetwork> prefixes)
    {
        Span<byte> address = stackalloc byte[16];
        foreach (var prefix in prefixes)
        {
            prefix.BaseAddress.TryWriteBytes(address, out _);
            var octets = (prefix.PrefixLength + 7) / 8;
            w.U8((byte)prefix.PrefixLength);
            w.Bytes(address[..octets]);
        }
    }

    /// <summary>Big-endian writes into a span already measured to fit.</summary>
    private ref struct SpanWriter(Span<byte> buffer)
    {
        private readonly Span<byte> _buffer = buffer;

        public int Position { get; private set; }

        public void U8(byte value) => _buffer[Position++] = value;

        public void PatchU8(int at, byte value) => _buffer[at] = value;

        public void U16(ushort value)
        {
            BinaryPrimitives.WriteUInt16BigEndian(_buffer[Position..], value);
            Position += 2;
        }

        public void U32(uint value)
        {
            BinaryPrimitives.WriteUInt32BigEndian(_buffer[Position..], value);
            Position += 4;
        }

        public void Bytes(scoped ReadOnlySpan<byte> value)
        {
            value.CopyTo(_buffer[Position..]);
            Position += value.Length;
        }

        public void Fill(byte value, int count)
        {
            _buffer.Slice(Position, count).Fill(value);
            Position += count;
        }

        public void Address(IPAddress address)
        {
            address.TryWriteBytes(_buffer[Position..], out var written);
            Position += written;
        }
    }
}
