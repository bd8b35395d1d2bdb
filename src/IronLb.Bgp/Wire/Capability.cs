namespace IronLb.Bgp.Wire;

/// <summary>Capability codes (IANA) the codec models; any other code decodes as <see cref="UnknownCapability"/>.</summary>
public enum CapabilityCode : byte
{
    None = 0,

    /// <summary>RFC 4760.</summary>
    Multiprotocol = 1,

    /// <summary>RFC 2918.</summary>
    RouteRefresh = 2,

    /// <summary>RFC 4724.</summary>
    GracefulRestart = 64,

    /// <summary>RFC 6793.</summary>
    FourOctetAs = 65,
}

/// <summary>
/// One capability of an OPEN's optional parameter 2 (RFC 5492). Unknown ones are kept whole so that a session
/// can log what the peer offered; RFC 5492 says an unrecognised capability is ignored, never an error.
/// </summary>
public abstract record Capability
{
    public abstract CapabilityCode Code { get; }
}

/// <summary>Multiprotocol extensions for one AFI/SAFI (RFC 4760 §8): AFI (2), reserved (1), SAFI (1).</summary>
public sealed record MultiprotocolCapability(Afi Afi, Safi Safi) : Capability
{
    public override CapabilityCode Code => CapabilityCode.Multiprotocol;
}

/// <summary>Route refresh (RFC 2918 §3), no value.</summary>
public sealed record RouteRefreshCapability : Capability
{
    public override CapabilityCode Code => CapabilityCode.RouteRefresh;
}

/// <summary>Support for 4-octet AS numbers (RFC 6793 §3), carrying the speaker's real ASN.</summary>
public sealed record FourOctetAsCapability(uint Asn) : Capability
{
    public override CapabilityCode Code => CapabilityCode.FourOctetAs;
}

/// <summary>
/// Graceful restart (RFC 4724 §3). <see cref="RestartFlags"/> are the top four bits of the first octet (R, and
/// N of RFC 8538), <see cref="RestartTime"/> the 12-bit seconds the peer should keep our routes while we restart.
/// </summary>
public sealed record GracefulRestartCapability(byte RestartFlags, ushort RestartTime, EquatableArray<GracefulRestartFamily> Families) : Capability
{
    /// <summary>R: the sender has restarted (its peer must not wait for an End-of-RIB from the old session).</summary>
    public const byte RestartStateFlag = 0x8;

    /// <summary>N (RFC 8538): graceful restart applies to NOTIFICATION-triggered resets too.</summary>
    public const byte NotificationFlag = 0x4;

    public const ushort MaxRestartTime = 0x0FFF;

    public override CapabilityCode Code => CapabilityCode.GracefulRestart;

    public bool RestartState => (RestartFlags & RestartStateFlag) != 0;
}

/// <summary>A family graceful restart covers; <see cref="Flags"/> bit 0x80 says forwarding state was preserved.</summary>
public sealed record GracefulRestartFamily(Afi Afi, Safi Safi, byte Flags)
{
    public const byte ForwardingStateFlag = 0x80;

    public bool ForwardingPreserved => (Flags & ForwardingStateFlag) != 0;
}

/// <summary>A capability this codec does not model, kept as code and value bytes.</summary>
public sealed record UnknownCapability(byte RawCode, EquatableArray<byte> Value) : Capability
{
    public override CapabilityCode Code => (CapabilityCode)RawCode;
}
