using System.Buffers.Binary;
using System.Net;

namespace IronLb.Bgp.Wire;

/// <summary>
/// Walks an UPDATE's path attribute field. It keeps going past faults RFC 7606 lets a session survive
/// (treat-as-withdraw, attribute-discard) so that the worst one is reported, and stops at the first that resets
/// the session. Duplicates other than MP_REACH/MP_UNREACH are dropped after the first (RFC 7606 §3.g).
/// <paramref name="classicNlri"/>: whether the UPDATE announces IPv4 in the classic field; without it a NEXT_HOP
/// means nothing, and a broken one is ignored rather than faulted (RFC 4760 §3).
/// </summary>
internal sealed class AttributeReader(bool fourOctetAs, bool classicNlri)
{
    private const AttributeFlags WellKnown = AttributeFlags.Transitive;
    private const AttributeFlags OptionalTransitive = AttributeFlags.Optional | AttributeFlags.Transitive;
    private const AttributeFlags OptionalNonTransitive = AttributeFlags.Optional;

    private readonly bool[] _seen = new bool[256];

    public List<PathAttribute> Attributes { get; } = [];

    public BgpFault Fault { get; private set; }

    public EquatableArray<byte> Data { get; private set; } = [];

    public bool Seen(AttributeType type) => _seen[(byte)type];

    /// <summary>Records a fault unless a worse one is already recorded (the first of equal ones wins).</summary>
    public void Raise(BgpFault fault, ReadOnlySpan<byte> data)
    {
        if (Fault == BgpFault.None || fault.IsWorseThan(Fault))
        {
            Fault = fault;
            Data = EquatableArray.Create(data);
        }
    }

    public void Read(ReadOnlySpan<byte> field)
    {
        while (!field.IsEmpty)
        {
            var flags = (AttributeFlags)field[0];
            var extended = (flags & AttributeFlags.ExtendedLength) != 0;
            var headerLength = extended ? 4 : 3;
            if (field.Length < headerLength)
            {
                Raise(BgpFault.AttributeListOverrun, []);
                return;
            }

            var length = extended ? BinaryPrimitives.ReadUInt16BigEndian(field[2..]) : field[2];
            if (length > field.Length - headerLength)
            {
                Raise(BgpFault.AttributeListOverrun, []);
                return;
            }

            var whole = field[..(headerLength + length)];
            field = field[whole.Length..];
            var type = whole[1];
            if (_seen[type])
            {
                if ((AttributeType)type is AttributeType.MpReachNlri or AttributeType.MpUnreachNlri)
                {
                    Raise(BgpFault.MalformedAttributeList, []);
                    return;
                }

                continue;
            }

            _seen[type] = true;
            ReadOne(flags, type, whole, whole[headerLength..]);
            if (Fault.Action() == FaultAction.SessionReset)
            {
                return;
            }
        }
    }

    private void ReadOne(AttributeFlags flags, byte type, ReadOnlySpan<byte> whole, ReadOnlySpan<byte> value)
    {
        // The data of an UPDATE NOTIFICATION is the attribute as received: type, length and value (RFC 4271 §6.3).
        var erroneous = whole[1..];
        switch ((AttributeType)type)
        {
            case AttributeType.Origin:
                if (Check(flags, WellKnown, erroneous, value.Length == 1))
                {
                    if (value[0] > (byte)Origin.Incomplete)
                    {
                        Raise(BgpFault.InvalidOrigin, erroneous);
                    }
                    else
                    {
                        Attributes.Add(new OriginAttribute((Origin)value[0]));
                    }
                }

                break;
            case AttributeType.AsPath:
                if (Check(flags, WellKnown, erroneous, lengthOk: true))
                {
                    ReadAsPath(value, erroneous);
                }

                break;
            case AttributeType.NextHop:
                if (!classicNlri && !(FlagsMatch(flags, WellKnown) && value.Length == 4 && IsUnicastHost(value)))
                {
                    break;
                }

                if (Check(flags, WellKnown, erroneous, value.Length == 4))
                {
                    if (!IsUnicastHost(value))
                    {
                        Raise(BgpFault.InvalidNextHop, erroneous);
                    }
                    else
                    {
                        Attributes.Add(new NextHopAttribute(new IPAddress(value)));
                    }
                }

                break;
            case AttributeType.MultiExitDisc:
                if (Check(flags, OptionalNonTransitive, erroneous, value.Length == 4))
                {
                    Attributes.Add(new MultiExitDiscAttribute(BinaryPrimitives.ReadUInt32BigEndian(value)));
                }

                break;
            case AttributeType.LocalPref:
                if (Check(flags, WellKnown, erroneous, value.Length == 4))
                {
                    Attributes.Add(new LocalPrefAttribute(BinaryPrimitives.ReadUInt32BigEndian(value)));
                }

                break;
            case AttributeType.AtomicAggregate:
            case AttributeType.Aggregator:
                var aggregator = (AttributeType)type == AttributeType.Aggregator;
                var expected = aggregator ? OptionalTransitive : WellKnown;
                var size = aggregator ? (fourOctetAs ? 8 : 6) : 0;
                if (FlagsMatch(flags, expected) && value.Length == size)
                {
                    Attributes.Add(new RawAttribute(flags, type, EquatableArray.Create(value)));
                }
                else
                {
                    Raise(BgpFault.AggregatorDiscarded, erroneous);
                }

                break;
            case AttributeType.Communities:
                if (Check(flags, OptionalTransitive, erroneous, value.Length % 4 == 0))
                {
                    var communities = new uint[value.Length / 4];
                    for (var i = 0; i < communities.Length; i++)
                    {
                        communities[i] = BinaryPrimitives.ReadUInt32BigEndian(value[(i * 4)..]);
                    }

                    Attributes.Add(new CommunitiesAttribute(communities));
                }

                break;
            case AttributeType.LargeCommunity:
                if (Check(flags, OptionalTransitive, erroneous, value.Length % 12 == 0))
                {
                    var large = new LargeCommunity[value.Length / 12];
                    for (var i = 0; i < large.Length; i++)
                    {
                        var c = value.Slice(i * 12, 12);
                        large[i] = new LargeCommunity(BinaryPrimitives.ReadUInt32BigEndian(c), BinaryPrimitives.ReadUInt32BigEndian(c[4..]), BinaryPrimitives.ReadUInt32BigEndian(c[8..]));
                    }

                    Attributes.Add(new LargeCommunitiesAttribute(large));
                }

                break;
            case AttributeType.MpReachNlri:
            case AttributeType.MpUnreachNlri:
                // RFC 7606 §7.11: the NLRI cannot be trusted, so there is nothing to withdraw: reset.
                if (!FlagsMatch(flags, OptionalNonTransitive))
                {
                    Raise(BgpFault.OptionalAttributeError, erroneous);
                }
                else if ((AttributeType)type == AttributeType.MpReachNlri)
                {
                    ReadMpReach(flags, type, value, erroneous);
                }
                else
                {
                    ReadMpUnreach(flags, type, value, erroneous);
                }

                break;
            default:
                if ((flags & AttributeFlags.Optional) == 0)
                {
                    Raise(BgpFault.UnrecognizedWellKnownAttribute, erroneous);
                }
                else
                {
                    Attributes.Add(new RawAttribute(flags, type, EquatableArray.Create(value)));
                }

                break;
        }
    }

    /// <summary>RFC 4271 §6.3: NEXT_HOP must be a valid IP host address: not 0.0.0.0, broadcast or multicast.</summary>
    private static bool IsUnicastHost(ReadOnlySpan<byte> value)
    {
        var address = BinaryPrimitives.ReadUInt32BigEndian(value);
        return address != 0 && address != uint.MaxValue && (address >> 28) != 0xE;
    }

    /// <summary>Flags first (RFC 4271 §6.3 lists them before length), then length; true when both are right.</summary>
    private bool Check(AttributeFlags flags, AttributeFlags expected, ReadOnlySpan<byte> erroneous, bool lengthOk)
    {
        if (!FlagsMatch(flags, expected))
        {
            Raise(BgpFault.AttributeFlagsError, erroneous);
            return false;
        }

        if (!lengthOk)
        {
            Raise(BgpFault.AttributeLengthError, erroneous);
            return false;
        }

        return true;
    }

    /// <summary>Optional and Transitive as the type demands; Partial only on optional transitive attributes.</summary>
    private static bool FlagsMatch(AttributeFlags flags, AttributeFlags expected)
    {
        const AttributeFlags kind = AttributeFlags.Optional | AttributeFlags.Transitive;
        return (flags & kind) == expected && ((flags & AttributeFlags.Partial) == 0 || expected == OptionalTransitive);
    }

    private void ReadAsPath(ReadOnlySpan<byte> value, ReadOnlySpan<byte> erroneous)
    {
        var size = fourOctetAs ? 4 : 2;
        var segments = new List<AsPathSegment>();
        while (!value.IsEmpty)
        {
            var count = value.Length >= 2 ? value[1] : 0;
            if (value.Length < 2 || value[0] is < (byte)AsPathSegmentType.AsSet or > (byte)AsPathSegmentType.ConfedSet
                || count == 0 || count * size > value.Length - 2)
            {
                Raise(BgpFault.MalformedAsPath, erroneous);
                return;
            }

            var asns = new uint[count];
            for (var i = 0; i < count; i++)
            {
                var at = value[(2 + (i * size))..];
                asns[i] = fourOctetAs ? BinaryPrimitives.ReadUInt32BigEndian(at) : BinaryPrimitives.ReadUInt16BigEndian(at);
            }

            segments.Add(new AsPathSegment((AsPathSegmentType)value[0], asns));
            value = value[(2 + (count * size))..];
        }

        Attributes.Add(new AsPathAttribute([.. segments]));
    }

    private void ReadMpReach(AttributeFlags flags, byte type, ReadOnlySpan<byte> value, ReadOnlySpan<byte> erroneous)
    {
        if (value.Length < 5 || value[3] > value.Length - 5)
        {
            Raise(BgpFault.OptionalAttributeError, erroneous);
            return;
        }

        var afi = (Afi)BinaryPrimitives.ReadUInt16BigEndian(value);
        var safi = (Safi)value[2];
        if (!IsSupported(afi, safi))
        {
            // A family we never offered: kept whole for the session to judge (RFC 4760 §7 leaves it to the speaker).
            Attributes.Add(new RawAttribute(flags, type, EquatableArray.Create(value)));
            return;
        }

        var nextHop = value.Slice(4, value[3]);
        var ipv6 = afi == Afi.Ipv6;
        if (nextHop.Length != (ipv6 ? 16 : 4) && !(ipv6 && nextHop.Length == 32))
        {
            Raise(BgpFault.OptionalAttributeError, erroneous);
            return;
        }

        // One reserved octet (formerly SNPAs) follows the next hop; RFC 4760 says it is ignored.
        var nlri = new List<IPNetwork>();
        if (!BgpCodec.TryReadPrefixes(value[(5 + nextHop.Length)..], ipv6, nlri))
        {
            Raise(BgpFault.InvalidNetworkField, []);
            return;
        }

        var global = new IPAddress(nextHop[..(ipv6 ? 16 : 4)]);
        var linkLocal = nextHop.Length == 32 ? new IPAddress(nextHop[16..]) : null;
        Attributes.Add(new MpReachNlriAttribute(afi, safi, global, linkLocal, [.. nlri]));
    }

    private void ReadMpUnreach(AttributeFlags flags, byte type, ReadOnlySpan<byte> value, ReadOnlySpan<byte> erroneous)
    {
        if (value.Length < 3)
        {
            Raise(BgpFault.OptionalAttributeError, erroneous);
            return;
        }

        var afi = (Afi)BinaryPrimitives.ReadUInt16BigEndian(value);
        var safi = (Safi)value[2];
        if (!IsSupported(afi, safi))
        {
            Attributes.Add(new RawAttribute(flags, type, EquatableArray.Create(value)));
            return;
        }

        var withdrawn = new List<IPNetwork>();
        if (!BgpCodec.TryReadPrefixes(value[3..], afi == Afi.Ipv6, withdrawn))
        {
            Raise(BgpFault.InvalidNetworkField, []);
            return;
        }

        Attributes.Add(new MpUnreachNlriAttribute(afi, safi, [.. withdrawn]));
    }

    internal static bool IsSupported(Afi afi, Safi safi) => afi is Afi.Ipv4 or Afi.Ipv6 && safi == Safi.Unicast;
}
