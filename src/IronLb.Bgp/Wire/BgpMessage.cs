using System.Net;

namespace IronLb.Bgp.Wire;

/// <summary>
/// One BGP message, as decoded from or to be encoded onto the wire. Records compare structurally (lists are
/// <see cref="EquatableArray{T}"/>), so encode → decode gives back an equal value.
/// </summary>
public abstract record BgpMessage
{
    public abstract BgpMessageType Type { get; }
}

/// <summary>
/// OPEN (RFC 4271 §4.2). <see cref="MyAs"/> is the 2-octet field as sent: AS_TRANS when the speaker's ASN does
/// not fit, in which case the 4-octet AS capability carries the real one (<see cref="Asn"/>). All capabilities
/// travel in one optional parameter of type 2 (RFC 5492); several such parameters on receipt are concatenated.
/// </summary>
public sealed record OpenMessage(ushort MyAs, ushort HoldTime, uint BgpIdentifier, EquatableArray<Capability> Capabilities) : BgpMessage
{
    public byte Version { get; init; } = BgpConstants.Version;

    public override BgpMessageType Type => BgpMessageType.Open;

    /// <summary>The speaker's ASN: the 4-octet capability's when present, else the 2-octet field.</summary>
    public uint Asn
    {
        get
        {
            foreach (var capability in Capabilities)
            {
                if (capability is FourOctetAsCapability four)
                {
                    return four.Asn;
                }
            }

            return MyAs;
        }
    }

    /// <summary>The BGP Identifier as the dotted quad operators see.</summary>
    public IPAddress Identifier => new([(byte)(BgpIdentifier >> 24), (byte)(BgpIdentifier >> 16), (byte)(BgpIdentifier >> 8), (byte)BgpIdentifier]);

    /// <summary>Whether the OPEN offers the capability (by code, so unknown ones count too).</summary>
    public bool Has(CapabilityCode code)
    {
        foreach (var capability in Capabilities)
        {
            if (capability.Code == code)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// An OPEN for <paramref name="asn"/>: the 4-octet AS capability is always added (RFC 6793 wants it offered
    /// whatever the ASN), and the 2-octet field carries AS_TRANS when the ASN is above 65535.
    /// </summary>
    public static OpenMessage Create(uint asn, ushort holdTime, uint bgpIdentifier, IEnumerable<Capability> capabilities)
    {
        ArgumentNullException.ThrowIfNull(capabilities);
        var list = new List<Capability>();
        foreach (var capability in capabilities)
        {
            if (capability is not FourOctetAsCapability)
            {
                list.Add(capability);
            }
        }

        list.Add(new FourOctetAsCapability(asn));
        return new OpenMessage(asn > ushort.MaxValue ? BgpConstants.AsTrans : (ushort)asn, holdTime, bgpIdentifier, [.. list]);
    }
}

/// <summary>
/// UPDATE (RFC 4271 §4.3): IPv4 unicast withdrawals and reachability in the classic fields, everything else in
/// MP_REACH_NLRI / MP_UNREACH_NLRI attributes (RFC 4760).
/// </summary>
public sealed record UpdateMessage(EquatableArray<IPNetwork> Withdrawn, EquatableArray<PathAttribute> Attributes, EquatableArray<IPNetwork> Nlri) : BgpMessage
{
    public override BgpMessageType Type => BgpMessageType.Update;

    /// <summary>The first attribute of that type code, if any.</summary>
    public PathAttribute? Find(AttributeType type)
    {
        foreach (var attribute in Attributes)
        {
            if (attribute.TypeCode == type)
            {
                return attribute;
            }
        }

        return null;
    }

    /// <summary>
    /// End-of-RIB (RFC 4724 §2): for IPv4 unicast an empty UPDATE; for another family an UPDATE whose only
    /// attribute is an empty MP_UNREACH_NLRI. Graceful restart needs it; MetalLB never sends it.
    /// </summary>
    public static UpdateMessage EndOfRib(Afi afi, Safi safi) =>
        afi == Afi.Ipv4 && safi == Safi.Unicast
            ? new UpdateMessage([], [], [])
            : new UpdateMessage([], [new MpUnreachNlriAttribute(afi, safi, [])], []);

    /// <summary>Whether this is an End-of-RIB marker, and for which family.</summary>
    public bool IsEndOfRib(out Afi afi, out Safi safi)
    {
        afi = Afi.None;
        safi = Safi.None;
        if (!Withdrawn.IsEmpty || !Nlri.IsEmpty)
        {
            return false;
        }

        if (Attributes.IsEmpty)
        {
            (afi, safi) = (Afi.Ipv4, Safi.Unicast);
            return true;
        }

        if (Attributes.Count == 1 && Attributes[0] is MpUnreachNlriAttribute { Withdrawn.IsEmpty: true } unreach)
        {
            (afi, safi) = (unreach.Afi, unreach.Safi);
            return true;
        }

        return false;
    }
}

/// <summary>NOTIFICATION (RFC 4271 §4.5): the error that closes the session, with its diagnostic data.</summary>
public sealed record NotificationMessage(byte ErrorCode, byte ErrorSubcode, EquatableArray<byte> Data) : BgpMessage
{
    public override BgpMessageType Type => BgpMessageType.Notification;

    /// <summary>RFC 9003's Cease / Administrative Shutdown with a UTF-8 reason, for a graceful stop.</summary>
    public static NotificationMessage AdministrativeShutdown(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        var text = System.Text.Encoding.UTF8.GetBytes(reason);
        var length = Math.Min(text.Length, 255);
        byte[] data = [(byte)length, .. text.AsSpan(0, length)];
        return new NotificationMessage(6, 2, data);
    }
}

/// <summary>KEEPALIVE (RFC 4271 §4.4): the header alone.</summary>
public sealed record KeepaliveMessage : BgpMessage
{
    public static KeepaliveMessage Instance { get; } = new();

    public override BgpMessageType Type => BgpMessageType.Keepalive;
}

/// <summary>
/// ROUTE-REFRESH (RFC 2918): asks the peer to send its routes for a family again. The octet between AFI and SAFI
/// is reserved in RFC 2918 and a subtype in RFC 7313 (enhanced route refresh); it is kept as received.
/// </summary>
public sealed record RouteRefreshMessage(Afi Afi, Safi Safi, byte Subtype = 0) : BgpMessage
{
    public override BgpMessageType Type => BgpMessageType.RouteRefresh;
}
