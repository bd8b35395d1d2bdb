using System.Net;

namespace IronLb.Bgp.Wire;

/// <summary>Path attribute type codes (IANA) the codec knows.</summary>
public enum AttributeType : byte
{
    None = 0,
    Origin = 1,
    AsPath = 2,
    NextHop = 3,
    MultiExitDisc = 4,
    LocalPref = 5,
    AtomicAggregate = 6,
    Aggregator = 7,

    /// <summary>RFC 1997.</summary>
    Communities = 8,

    /// <summary>RFC 4760.</summary>
    MpReachNlri = 14,
    MpUnreachNlri = 15,

    /// <summary>RFC 8092.</summary>
    LargeCommunity = 32,
}

/// <summary>The attribute flags octet (RFC 4271 §4.3).</summary>
[Flags]
public enum AttributeFlags : byte
{
    None = 0,

    /// <summary>Unused low bits; RFC 4271 says they are sent as zero and ignored.</summary>
    Unused = 0x0F,
    ExtendedLength = 0x10,
    Partial = 0x20,
    Transitive = 0x40,
    Optional = 0x80,
}

/// <summary>ORIGIN values (RFC 4271 §5.1.1).</summary>
public enum Origin : byte
{
    Igp = 0,
    Egp = 1,
    Incomplete = 2,
}

/// <summary>AS_PATH segment types (RFC 4271 §4.3; the confederation ones of RFC 5065 are carried too).</summary>
public enum AsPathSegmentType : byte
{
    None = 0,
    AsSet = 1,
    AsSequence = 2,
    ConfedSequence = 3,
    ConfedSet = 4,
}

/// <summary>
/// One path attribute. Known attributes carry their canonical flags (<see cref="Flags"/>); the encoder writes
/// those, adding the extended-length bit when the value needs it.
/// </summary>
public abstract record PathAttribute
{
    public abstract AttributeType TypeCode { get; }

    public abstract AttributeFlags Flags { get; }
}

/// <summary>ORIGIN, well-known mandatory.</summary>
public sealed record OriginAttribute(Origin Value) : PathAttribute
{
    public override AttributeType TypeCode => AttributeType.Origin;

    public override AttributeFlags Flags => AttributeFlags.Transitive;
}

/// <summary>One AS_PATH segment; at most 255 ASNs per segment on the wire.</summary>
public sealed record AsPathSegment(AsPathSegmentType Type, EquatableArray<uint> Asns);

/// <summary>
/// AS_PATH, well-known mandatory (empty for iBGP). Encoded with 4-octet ASNs when both sides offered RFC 6793's
/// capability, else 2-octet with AS_TRANS for an ASN that does not fit (we do not send AS4_PATH: a speaker
/// originates routes, its path is its own ASN, and a 2-octet peer of a 4-octet speaker is rare enough to refuse
/// later at the session level).
/// </summary>
public sealed record AsPathAttribute(EquatableArray<AsPathSegment> Segments) : PathAttribute
{
    public override AttributeType TypeCode => AttributeType.AsPath;

    public override AttributeFlags Flags => AttributeFlags.Transitive;

    /// <summary>The eBGP path of an originating speaker: one AS_SEQUENCE holding its ASN.</summary>
    public static AsPathAttribute Originated(uint asn) => new([new AsPathSegment(AsPathSegmentType.AsSequence, [asn])]);
}

/// <summary>NEXT_HOP (IPv4), well-known mandatory when the classic NLRI field is not empty.</summary>
public sealed record NextHopAttribute(IPAddress Address) : PathAttribute
{
    public override AttributeType TypeCode => AttributeType.NextHop;

    public override AttributeFlags Flags => AttributeFlags.Transitive;
}

/// <summary>MULTI_EXIT_DISC, optional non-transitive.</summary>
public sealed record MultiExitDiscAttribute(uint Value) : PathAttribute
{
    public override AttributeType TypeCode => AttributeType.MultiExitDisc;

    public override AttributeFlags Flags => AttributeFlags.Optional;
}

/// <summary>LOCAL_PREF, well-known, iBGP only.</summary>
public sealed record LocalPrefAttribute(uint Value) : PathAttribute
{
    public override AttributeType TypeCode => AttributeType.LocalPref;

    public override AttributeFlags Flags => AttributeFlags.Transitive;
}

/// <summary>COMMUNITIES (RFC 1997), optional transitive: 32-bit values, conventionally ASN:value.</summary>
public sealed record CommunitiesAttribute(EquatableArray<uint> Communities) : PathAttribute
{
    public override AttributeType TypeCode => AttributeType.Communities;

    public override AttributeFlags Flags => AttributeFlags.Optional | AttributeFlags.Transitive;
}

/// <summary>One large community (RFC 8092): global administrator, two local data parts.</summary>
public readonly record struct LargeCommunity(uint GlobalAdministrator, uint LocalData1, uint LocalData2)
{
    public override string ToString() => $"{GlobalAdministrator}:{LocalData1}:{LocalData2}";
}

/// <summary>LARGE_COMMUNITY (RFC 8092), optional transitive.</summary>
public sealed record LargeCommunitiesAttribute(EquatableArray<LargeCommunity> Communities) : PathAttribute
{
    public override AttributeType TypeCode => AttributeType.LargeCommunity;

    public override AttributeFlags Flags => AttributeFlags.Optional | AttributeFlags.Transitive;
}

/// <summary>
/// MP_REACH_NLRI (RFC 4760 §3), optional non-transitive. The next hop is 4 bytes for IPv4; for IPv6 it is 16 bytes
/// (a global address) or 32 (global, then link-local: RFC 2545 §3, what a peer on the same link wants).
/// </summary>
public sealed record MpReachNlriAttribute(Afi Afi, Safi Safi, IPAddress NextHop, IPAddress? LinkLocalNextHop, EquatableArray<IPNetwork> Nlri) : PathAttribute
{
    public override AttributeType TypeCode => AttributeType.MpReachNlri;

    public override AttributeFlags Flags => AttributeFlags.Optional;
}

/// <summary>MP_UNREACH_NLRI (RFC 4760 §4), optional non-transitive. Empty withdrawals make an End-of-RIB.</summary>
public sealed record MpUnreachNlriAttribute(Afi Afi, Safi Safi, EquatableArray<IPNetwork> Withdrawn) : PathAttribute
{
    public override AttributeType TypeCode => AttributeType.MpUnreachNlri;

    public override AttributeFlags Flags => AttributeFlags.Optional;
}

/// <summary>
/// An attribute kept as flags, type and value bytes: an unrecognised optional attribute (RFC 4271 §5: optional
/// ones we do not know are accepted, and transitive ones passed on), and the aggregation attributes
/// (ATOMIC_AGGREGATE, AGGREGATOR) a speaker does not interpret. <see cref="RawFlags"/> are kept as received,
/// extended-length bit included, so the attribute encodes back to the same bytes (the encoder adds that bit when the value
/// is longer than 255 bytes).
/// </summary>
public sealed record RawAttribute(AttributeFlags RawFlags, byte RawTypeCode, EquatableArray<byte> Value) : PathAttribute
{
    public override AttributeType TypeCode => (AttributeType)RawTypeCode;

    public override AttributeFlags Flags => RawFlags;

    /// <summary>
    /// What goes to the next peer when the route is passed on (RFC 4271 §5): an optional transitive attribute we
    /// do not recognise travels with the Partial bit set; an optional non-transitive one is dropped (null).
    /// Well-known ones go as they came.
    /// </summary>
    public RawAttribute? ForPropagation() =>
        (RawFlags & AttributeFlags.Optional) == 0 ? this
        : (RawFlags & AttributeFlags.Transitive) != 0 ? this with { RawFlags = RawFlags | AttributeFlags.Partial }
        : null;
}
