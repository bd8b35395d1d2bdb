using System.Buffers.Binary;
using System.Net;

namespace IronLb.Bgp.Wire;

/// <summary>
/// BGP-4 messages to and from bytes. Decoding is total: whatever the bytes, <see cref="TryDecode"/> returns a
/// message or a <see cref="BgpFault"/> that says which NOTIFICATION RFC 4271 prescribes and what RFC 7606 has a
/// speaker do instead; nothing throws. Encoding is span-based and measured first, so a message that would not fit
/// is refused before a byte is written.
/// </summary>
public static partial class BgpCodec
{
    private static ReadOnlySpan<byte> SupportedVersion => [0, BgpConstants.Version];

    /// <summary>
    /// Decodes one whole message (header included), as <see cref="BgpFramer"/> cuts them from the stream. The
    /// header's length field must equal the span's length.
    /// </summary>
    public static BgpDecodeResult TryDecode(ReadOnlySpan<byte> message, in BgpDecodeContext context)
    {
        var header = CheckHeader(message);
        if (header.Fault != BgpFault.None)
        {
            return header;
        }

        if (message.Length < BgpConstants.HeaderLength)
        {
            return BgpDecodeResult.Reset(BgpFault.BadMessageLength, message.Length >= 18 ? message.Slice(16, 2) : []);
        }

        var length = BinaryPrimitives.ReadUInt16BigEndian(message[16..]);
        if (length != message.Length)
        {
            return BgpDecodeResult.Reset(BgpFault.BadMessageLength, message.Slice(16, 2));
        }

        var type = (BgpMessageType)message[18];
        var body = message[BgpConstants.HeaderLength..];
        var lengthOk = type switch
        {
            BgpMessageType.Open => length >= BgpConstants.MinOpenLength,
            BgpMessageType.Update => length >= BgpConstants.MinUpdateLength,
            BgpMessageType.Notification => length >= BgpConstants.MinNotificationLength,
            BgpMessageType.Keepalive => length == BgpConstants.KeepaliveLength,
            BgpMessageType.RouteRefresh => length == BgpConstants.RouteRefreshLength,
            _ => true,
        };
        if (type is < BgpMessageType.Open or > BgpMessageType.RouteRefresh)
        {
            return BgpDecodeResult.Reset(BgpFault.BadMessageType, message.Slice(18, 1));
        }

        if (!lengthOk)
        {
            return BgpDecodeResult.Reset(BgpFault.BadMessageLength, message.Slice(16, 2));
        }

        return type switch
        {
            BgpMessageType.Open => DecodeOpen(body, context),
            BgpMessageType.Update => DecodeUpdate(body, context),
            BgpMessageType.Notification => BgpDecodeResult.Accepted(new NotificationMessage(body[0], body[1], EquatableArray.Create(body[2..]))),
            BgpMessageType.Keepalive => BgpDecodeResult.Accepted(KeepaliveMessage.Instance),
            _ => BgpDecodeResult.Accepted(new RouteRefreshMessage((Afi)BinaryPrimitives.ReadUInt16BigEndian(body), (Safi)body[3], body[2])),
        };
    }

    /// <summary>
    /// The header checks the framer needs before it knows the whole message: marker, then the length range.
    /// Accepts a prefix of a message; a fault is reported as soon as the bytes seen prove one.
    /// </summary>
    internal static BgpDecodeResult CheckHeader(ReadOnlySpan<byte> prefix)
    {
        var marker = prefix[..Math.Min(prefix.Length, BgpConstants.MarkerLength)];
        if (marker.ContainsAnyExcept((byte)0xFF))
        {
            return BgpDecodeResult.Reset(BgpFault.ConnectionNotSynchronized, []);
        }

        if (prefix.Length < 18)
        {
            return new BgpDecodeResult(BgpFault.None, null, []);
        }

        var length = BinaryPrimitives.ReadUInt16BigEndian(prefix[16..]);
        return length is < BgpConstants.HeaderLength or > BgpConstants.MaxMessageLength
            ? BgpDecodeResult.Reset(BgpFault.BadMessageLength, prefix.Slice(16, 2))
            : new BgpDecodeResult(BgpFault.None, null, []);
    }

    private static BgpDecodeResult DecodeOpen(ReadOnlySpan<byte> body, in BgpDecodeContext context)
    {
        if (body[0] != BgpConstants.Version)
        {
            return BgpDecodeResult.Reset(BgpFault.UnsupportedVersionNumber, SupportedVersion);
        }

        var myAs = BinaryPrimitives.ReadUInt16BigEndian(body[1..]);
        var holdTime = BinaryPrimitives.ReadUInt16BigEndian(body[3..]);
        var identifier = BinaryPrimitives.ReadUInt32BigEndian(body[5..]);
        var parameters = body[10..];
        if (body[9] == 255 && !parameters.IsEmpty && parameters[0] == 255)
        {
            // RFC 9072's extended optional parameters announce themselves as a parameter of type 255; we do not
            // speak them (our OPENs stay under 255 bytes of capabilities).
            return BgpDecodeResult.Reset(BgpFault.UnsupportedOptionalParameter, []);
        }

        if (body[9] != parameters.Length)
        {
            return BgpDecodeResult.Reset(BgpFault.MalformedOptionalParameters, []);
        }

        var capabilities = new List<Capability>();
        while (!parameters.IsEmpty)
        {
            if (parameters.Length < 2 || parameters[1] > parameters.Length - 2)
            {
                return BgpDecodeResult.Reset(BgpFault.MalformedOptionalParameters, []);
            }

            var value = parameters.Slice(2, parameters[1]);
            if (parameters[0] != 2)
            {
                // Authentication (1) is long gone (RFC 5492); capabilities are the only parameter in use.
                return BgpDecodeResult.Reset(BgpFault.UnsupportedOptionalParameter, []);
            }

            if (!TryReadCapabilities(value, capabilities))
            {
                return BgpDecodeResult.Reset(BgpFault.MalformedOptionalParameters, []);
            }

            parameters = parameters[(2 + value.Length)..];
        }

        var open = new OpenMessage(myAs, holdTime, identifier, [.. capabilities]);
        var asn = open.Asn;
        if (asn == 0 || (context.ExpectedPeerAs != 0 && asn != context.ExpectedPeerAs))
        {
            return BgpDecodeResult.Reset(BgpFault.BadPeerAs, []);
        }

        if (identifier == 0 || (context.LocalIdentifier != 0 && identifier == context.LocalIdentifier))
        {
            return BgpDecodeResult.Reset(BgpFault.BadBgpIdentifier, []);
        }

        return holdTime is 1 or 2
            ? BgpDecodeResult.Reset(BgpFault.UnacceptableHoldTime, [])
            : BgpDecodeResult.Accepted(open);
    }

    private static bool TryReadCapabilities(ReadOnlySpan<byte> value, List<Capability> into)
    {
        while (!value.IsEmpty)
        {
            if (value.Length < 2 || value[1] > value.Length - 2)
            {
                return false;
            }

            var code = value[0];
            var data = value.Slice(2, value[1]);
            value = value[(2 + data.Length)..];
            switch ((CapabilityCode)code)
            {
                case CapabilityCode.Multiprotocol when data.Length == 4:
                    into.Add(new MultiprotocolCapability((Afi)BinaryPrimitives.ReadUInt16BigEndian(data), (Safi)data[3]));
                    break;
                case CapabilityCode.RouteRefresh when data.IsEmpty:
                    into.Add(new RouteRefreshCapability());
                    break;
                case CapabilityCode.FourOctetAs when data.Length == 4:
                    into.Add(new FourOctetAsCapability(BinaryPrimitives.ReadUInt32BigEndian(data)));
                    break;
                case CapabilityCode.GracefulRestart when data.Length >= 2 && (data.Length - 2) % 4 == 0:
                    var families = new GracefulRestartFamily[(data.Length - 2) / 4];
                    for (var i = 0; i < families.Length; i++)
                    {
                        var f = data.Slice(2 + (i * 4), 4);
                        families[i] = new GracefulRestartFamily((Afi)BinaryPrimitives.ReadUInt16BigEndian(f), (Safi)f[2], f[3]);
                    }

                    var head = BinaryPrimitives.ReadUInt16BigEndian(data);
                    into.Add(new GracefulRestartCapability((byte)(head >> 12), (ushort)(head & GracefulRestartCapability.MaxRestartTime), families));
                    break;
                case CapabilityCode.Multiprotocol or CapabilityCode.RouteRefresh or CapabilityCode.FourOctetAs or CapabilityCode.GracefulRestart:
                    return false;
                default:
                    into.Add(new UnknownCapability(code, EquatableArray.Create(data)));
                    break;
            }
        }

        return true;
    }

    private static BgpDecodeResult DecodeUpdate(ReadOnlySpan<byte> body, in BgpDecodeContext context)
    {
        var withdrawnLength = BinaryPrimitives.ReadUInt16BigEndian(body);
        if (withdrawnLength > body.Length - 4)
        {
            return BgpDecodeResult.Reset(BgpFault.MalformedAttributeList, []);
        }

        var attributesLength = BinaryPrimitives.ReadUInt16BigEndian(body[(2 + withdrawnLength)..]);
        if (attributesLength > body.Length - 4 - withdrawnLength)
        {
            return BgpDecodeResult.Reset(BgpFault.MalformedAttributeList, []);
        }

        var withdrawn = new List<IPNetwork>();
        var nlri = new List<IPNetwork>();
        if (!TryReadPrefixes(body.Slice(2, withdrawnLength), ipv6: false, withdrawn)
            || !TryReadPrefixes(body[(4 + withdrawnLength + attributesLength)..], ipv6: false, nlri))
        {
            return BgpDecodeResult.Reset(BgpFault.InvalidNetworkField, []);
        }

        var reader = new AttributeReader(context.FourOctetAs, classicNlri: nlri.Count > 0);
        reader.Read(body.Slice(4 + withdrawnLength, attributesLength));
        if (reader.Fault.Action() == FaultAction.SessionReset)
        {
            return new BgpDecodeResult(reader.Fault, null, reader.Data);
        }

        if (nlri.Count > 0 || reader.Seen(AttributeType.MpReachNlri))
        {
            // RFC 4271 §5: ORIGIN and AS_PATH with any reachability, NEXT_HOP with classic NLRI. A malformed one
            // was seen (and already faulted); only absent ones are missing.
            var missing = !reader.Seen(AttributeType.Origin) ? AttributeType.Origin
                : !reader.Seen(AttributeType.AsPath) ? AttributeType.AsPath
                : nlri.Count > 0 && !reader.Seen(AttributeType.NextHop) ? AttributeType.NextHop
                : AttributeType.None;
            if (missing != AttributeType.None)
            {
                reader.Raise(BgpFault.MissingWellKnownAttribute, [(byte)missing]);
            }
        }

        if (reader.Fault.Action() == FaultAction.TreatAsWithdraw)
        {
            return new BgpDecodeResult(reader.Fault, AsWithdrawal(withdrawn, nlri, reader.Attributes), reader.Data);
        }

        var update = new UpdateMessage([.. withdrawn], [.. reader.Attributes], [.. nlri]);
        return new BgpDecodeResult(reader.Fault, update, reader.Data);
    }

    /// <summary>RFC 7606 treat-as-withdraw: every prefix the UPDATE carried, announced or withdrawn, is withdrawn.</summary>
    private static UpdateMessage AsWithdrawal(List<IPNetwork> withdrawn, List<IPNetwork> nlri, List<PathAttribute> attributes)
    {
        var unreach = new List<MpUnreachNlriAttribute>();
        foreach (var attribute in attributes)
        {
            var (afi, safi, prefixes) = attribute switch
            {
                MpReachNlriAttribute r => (r.Afi, r.Safi, r.Nlri),
                MpUnreachNlriAttribute u => (u.Afi, u.Safi, u.Withdrawn),
                _ => (Afi.None, Safi.None, default(EquatableArray<IPNetwork>)),
            };
            if (afi == Afi.None)
            {
                continue;
            }

            var at = unreach.FindIndex(u => u.Afi == afi && u.Safi == safi);
            if (at < 0)
            {
                unreach.Add(new MpUnreachNlriAttribute(afi, safi, prefixes));
            }
            else
            {
                unreach[at] = unreach[at] with { Withdrawn = [.. unreach[at].Withdrawn, .. prefixes] };
            }
        }

        return new UpdateMessage([.. withdrawn, .. nlri], [.. unreach], []);
    }

    /// <summary>Prefixes as length octet plus the fewest whole octets (RFC 4271 §4.3); bits past the length are cleared.</summary>
    internal static bool TryReadPrefixes(ReadOnlySpan<byte> field, bool ipv6, List<IPNetwork> into)
    {
        var maxBits = ipv6 ? 128 : 32;
        Span<byte> address = stackalloc byte[16];
        while (!field.IsEmpty)
        {
            var bits = field[0];
            var octets = (bits + 7) / 8;
            if (bits > maxBits || octets > field.Length - 1)
            {
                return false;
            }

            address.Clear();
            field.Slice(1, octets).CopyTo(address);
            if (bits % 8 != 0)
            {
                address[octets - 1] &= (byte)(0xFF << (8 - (bits % 8)));
            }

            into.Add(new IPNetwork(new IPAddress(address[..(ipv6 ? 16 : 4)]), bits));
            field = field[(1 + octets)..];
        }

        return true;
    }
}
