namespace IronLb.Bgp.Wire;

/// <summary>Numbers RFC 4271 and its extensions fix on the wire.</summary>
public static class BgpConstants
{
    /// <summary>Marker (16 bytes of 0xFF), length (2), type (1).</summary>
    public const int HeaderLength = 19;

    /// <summary>RFC 4271 §4.1; extended messages (RFC 8654) are not negotiated by us.</summary>
    public const int MaxMessageLength = 4096;

    public const int MarkerLength = 16;

    public const byte Version = 4;

    /// <summary>RFC 6793: what a 4-octet speaker puts in 2-octet fields when its ASN does not fit.</summary>
    public const ushort AsTrans = 23456;

    /// <summary>The BGP port, for the session code that will dial it.</summary>
    public const int Port = 179;

    /// <summary>Smallest whole messages per type (header included).</summary>
    public const int MinOpenLength = 29;
    public const int MinUpdateLength = 23;
    public const int MinNotificationLength = 21;
    public const int KeepaliveLength = 19;
    public const int RouteRefreshLength = 23;
}

/// <summary>The message type octet of the header.</summary>
public enum BgpMessageType : byte
{
    None = 0,
    Open = 1,
    Update = 2,
    Notification = 3,
    Keepalive = 4,

    /// <summary>RFC 2918.</summary>
    RouteRefresh = 5,
}

/// <summary>Address family identifiers (IANA); values outside the two we use stay representable.</summary>
public enum Afi : ushort
{
    None = 0,
    Ipv4 = 1,
    Ipv6 = 2,
}

/// <summary>Subsequent address family identifiers (IANA).</summary>
public enum Safi : byte
{
    None = 0,
    Unicast = 1,
    Multicast = 2,
}
