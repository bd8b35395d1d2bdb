namespace IronLb.Bgp.Wire;

/// <summary>
/// Why a received message was not taken as it came. Each value maps to the NOTIFICATION error code and subcode
/// RFC 4271 §6 prescribes and to the action RFC 7606 revises it to (<see cref="BgpFaults"/>):
/// <list type="table">
/// <listheader><term>fault</term><description>code/subcode — action</description></listheader>
/// <item><term><see cref="ConnectionNotSynchronized"/></term><description>1/1 — session reset</description></item>
/// <item><term><see cref="BadMessageLength"/></term><description>1/2 — session reset (data: the length field)</description></item>
/// <item><term><see cref="BadMessageType"/></term><description>1/3 — session reset (data: the type octet)</description></item>
/// <item><term><see cref="UnsupportedVersionNumber"/></term><description>2/1 — session reset (data: 4, the version we speak)</description></item>
/// <item><term><see cref="BadPeerAs"/></term><description>2/2 — session reset</description></item>
/// <item><term><see cref="BadBgpIdentifier"/></term><description>2/3 — session reset</description></item>
/// <item><term><see cref="UnsupportedOptionalParameter"/></term><description>2/4 — session reset</description></item>
/// <item><term><see cref="UnacceptableHoldTime"/></term><description>2/6 — session reset</description></item>
/// <item><term><see cref="MalformedOptionalParameters"/></term><description>2/0 — session reset</description></item>
/// <item><term><see cref="MalformedAttributeList"/></term><description>3/1 — session reset (lengths that overrun the message; MP_REACH/MP_UNREACH twice)</description></item>
/// <item><term><see cref="AttributeListOverrun"/></term><description>3/1 — treat-as-withdraw (RFC 7606 §4: an attribute overruns the attribute field)</description></item>
/// <item><term><see cref="UnrecognizedWellKnownAttribute"/></term><description>3/2 — session reset (data: the attribute)</description></item>
/// <item><term><see cref="MissingWellKnownAttribute"/></term><description>3/3 — treat-as-withdraw (RFC 7606 §3.d; data: the type code)</description></item>
/// <item><term><see cref="AttributeFlagsError"/></term><description>3/4 — treat-as-withdraw (RFC 7606 §3.c; data: the attribute)</description></item>
/// <item><term><see cref="AttributeLengthError"/></term><description>3/5 — treat-as-withdraw (RFC 7606 §7; data: the attribute)</description></item>
/// <item><term><see cref="InvalidOrigin"/></term><description>3/6 — treat-as-withdraw (RFC 7606 §7.1)</description></item>
/// <item><term><see cref="InvalidNextHop"/></term><description>3/8 — treat-as-withdraw (RFC 7606 §7.3)</description></item>
/// <item><term><see cref="OptionalAttributeError"/></term><description>3/9 — session reset (RFC 7606 §7.11: a malformed MP_REACH/MP_UNREACH)</description></item>
/// <item><term><see cref="InvalidNetworkField"/></term><description>3/10 — session reset (RFC 7606 §5.3: NLRI that cannot be parsed)</description></item>
/// <item><term><see cref="MalformedAsPath"/></term><description>3/11 — treat-as-withdraw (RFC 7606 §7.2)</description></item>
/// <item><term><see cref="AggregatorDiscarded"/></term><description>3/5 — attribute-discard (RFC 7606 §7.6, §7.7: ATOMIC_AGGREGATE, AGGREGATOR; no NOTIFICATION)</description></item>
/// </list>
/// </summary>
public enum BgpFault : byte
{
    /// <summary>Taken as it came.</summary>
    None = 0,

    // Message header errors (RFC 4271 §6.1).

    /// <summary>The marker is not 16 bytes of 0xFF: we lost the message boundaries.</summary>
    ConnectionNotSynchronized,

    /// <summary>Length below 19, above 4096, or wrong for the type (a KEEPALIVE of 20 bytes, an OPEN of 25).</summary>
    BadMessageLength,

    /// <summary>A type octet we do not know.</summary>
    BadMessageType,

    // OPEN message errors (RFC 4271 §6.2).

    /// <summary>Version other than 4.</summary>
    UnsupportedVersionNumber,

    /// <summary>The peer's ASN is zero, or not the one configured for it.</summary>
    BadPeerAs,

    /// <summary>BGP Identifier zero, or ours (RFC 6286 allows any other value).</summary>
    BadBgpIdentifier,

    /// <summary>An optional parameter other than capabilities (type 2).</summary>
    UnsupportedOptionalParameter,

    /// <summary>Hold time 1 or 2 seconds (RFC 4271: zero or at least three).</summary>
    UnacceptableHoldTime,

    /// <summary>Optional parameter or capability lengths that do not add up, or a capability with a wrong-sized value.</summary>
    MalformedOptionalParameters,

    // UPDATE message errors (RFC 4271 §6.3, revised by RFC 7606).

    /// <summary>Withdrawn-routes or total-attribute length past the message, or MP_REACH/MP_UNREACH twice.</summary>
    MalformedAttributeList,

    /// <summary>An attribute's header or length runs past the attribute field (the NLRI can still be found).</summary>
    AttributeListOverrun,

    /// <summary>A well-known type code (optional bit clear) that we do not know.</summary>
    UnrecognizedWellKnownAttribute,

    /// <summary>ORIGIN or AS_PATH missing with reachability, or NEXT_HOP missing with classic NLRI.</summary>
    MissingWellKnownAttribute,

    /// <summary>Optional or transitive bit that contradicts the attribute's type (or Partial on a well-known one).</summary>
    AttributeFlagsError,

    /// <summary>A length the attribute cannot have (ORIGIN not 1, NEXT_HOP not 4, COMMUNITIES not a multiple of 4…).</summary>
    AttributeLengthError,

    /// <summary>ORIGIN other than IGP, EGP, INCOMPLETE.</summary>
    InvalidOrigin,

    /// <summary>NEXT_HOP that is not a unicast host address (0.0.0.0, 255.255.255.255, multicast).</summary>
    InvalidNextHop,

    /// <summary>MP_REACH_NLRI / MP_UNREACH_NLRI that cannot be parsed (flags, a next-hop length, truncation).</summary>
    OptionalAttributeError,

    /// <summary>A prefix longer than its family allows or running past its field.</summary>
    InvalidNetworkField,

    /// <summary>AS_PATH segment of an unknown type, empty, or running past the attribute.</summary>
    MalformedAsPath,

    /// <summary>ATOMIC_AGGREGATE or AGGREGATOR with a wrong length or flags: dropped, the route stays.</summary>
    AggregatorDiscarded,
}

/// <summary>What RFC 4271 as revised by RFC 7606 has a speaker do about a fault.</summary>
public enum FaultAction : byte
{
    /// <summary>Nothing: the message is taken.</summary>
    None = 0,

    /// <summary>Send the NOTIFICATION and close the session.</summary>
    SessionReset,

    /// <summary>Keep the session; take the UPDATE as a withdrawal of all it announces (RFC 7606 §2).</summary>
    TreatAsWithdraw,

    /// <summary>Keep the session and the routes; drop the offending attribute (RFC 7606 §2).</summary>
    AttributeDiscard,
}

/// <summary>The table behind <see cref="BgpFault"/>: NOTIFICATION code and subcode, and the action.</summary>
public static class BgpFaults
{
    public const byte MessageHeaderError = 1;
    public const byte OpenMessageError = 2;
    public const byte UpdateMessageError = 3;
    public const byte HoldTimerExpired = 4;
    public const byte FiniteStateMachineError = 5;
    public const byte Cease = 6;

    public static (byte Code, byte Subcode, FaultAction Action) Describe(this BgpFault fault) => fault switch
    {
        BgpFault.None => (0, 0, FaultAction.None),
        BgpFault.ConnectionNotSynchronized => (MessageHeaderError, 1, FaultAction.SessionReset),
        BgpFault.BadMessageLength => (MessageHeaderError, 2, FaultAction.SessionReset),
        BgpFault.BadMessageType => (MessageHeaderError, 3, FaultAction.SessionReset),
        BgpFault.UnsupportedVersionNumber => (OpenMessageError, 1, FaultAction.SessionReset),
        BgpFault.BadPeerAs => (OpenMessageError, 2, FaultAction.SessionReset),
        BgpFault.BadBgpIdentifier => (OpenMessageError, 3, FaultAction.SessionReset),
        BgpFault.UnsupportedOptionalParameter => (OpenMessageError, 4, FaultAction.SessionReset),
        BgpFault.UnacceptableHoldTime => (OpenMessageError, 6, FaultAction.SessionReset),
        BgpFault.MalformedOptionalParameters => (OpenMessageError, 0, FaultAction.SessionReset),
        BgpFault.MalformedAttributeList => (UpdateMessageError, 1, FaultAction.SessionReset),
        BgpFault.AttributeListOverrun => (UpdateMessageError, 1, FaultAction.TreatAsWithdraw),
        BgpFault.UnrecognizedWellKnownAttribute => (UpdateMessageError, 2, FaultAction.SessionReset),
        BgpFault.MissingWellKnownAttribute => (UpdateMessageError, 3, FaultAction.TreatAsWithdraw),
        BgpFault.AttributeFlagsError => (UpdateMessageError, 4, FaultAction.TreatAsWithdraw),
        BgpFault.AttributeLengthError => (UpdateMessageError, 5, FaultAction.TreatAsWithdraw),
        BgpFault.InvalidOrigin => (UpdateMessageError, 6, FaultAction.TreatAsWithdraw),
        BgpFault.InvalidNextHop => (UpdateMessageError, 8, FaultAction.TreatAsWithdraw),
        BgpFault.OptionalAttributeError => (UpdateMessageError, 9, FaultAction.SessionReset),
        BgpFault.InvalidNetworkField => (UpdateMessageError, 10, FaultAction.SessionReset),
        BgpFault.MalformedAsPath => (UpdateMessageError, 11, FaultAction.TreatAsWithdraw),
        BgpFault.AggregatorDiscarded => (UpdateMessageError, 5, FaultAction.AttributeDiscard),
        _ => (0, 0, FaultAction.SessionReset),
    };

    public static FaultAction Action(this BgpFault fault) => fault.Describe().Action;

    /// <summary>Worse faults win when an UPDATE has several: reset over withdraw over discard.</summary>
    internal static bool IsWorseThan(this BgpFault fault, BgpFault other) => fault.Action().Severity() > other.Action().Severity();

    private static int Severity(this FaultAction action) => action switch
    {
        FaultAction.SessionReset => 3,
        FaultAction.TreatAsWithdraw => 2,
        FaultAction.AttributeDiscard => 1,
        _ => 0,
    };
}

/// <summary>
/// What the decoder needs from the session: whether 4-octet AS was negotiated (RFC 6793: both OPENs offered the
/// capability), and for OPEN checks the ASN configured for the peer and our own BGP Identifier (zero: not checked).
/// </summary>
public readonly record struct BgpDecodeContext(bool FourOctetAs, uint ExpectedPeerAs = 0, uint LocalIdentifier = 0);

/// <summary>
/// The decoder's answer. <see cref="Message"/> is set when <see cref="Fault"/> is None; for a treat-as-withdraw
/// fault it is an UPDATE that withdraws everything the received one announced; for attribute-discard it is the
/// UPDATE without the offending attribute; for a session reset it is null and <see cref="Notification"/> says
/// what to send before closing.
/// </summary>
public readonly record struct BgpDecodeResult(BgpFault Fault, BgpMessage? Message, EquatableArray<byte> Data)
{
    public bool IsAccepted => Fault == BgpFault.None;

    public FaultAction Action => Fault.Action();

    /// <summary>The NOTIFICATION RFC 4271 prescribes (null when nothing is to be sent).</summary>
    public NotificationMessage? Notification
    {
        get
        {
            var (code, subcode, action) = Fault.Describe();
            return action == FaultAction.SessionReset ? new NotificationMessage(code, subcode, Data) : null;
        }
    }

    internal static BgpDecodeResult Accepted(BgpMessage message) => new(BgpFault.None, message, []);

    internal static BgpDecodeResult Reset(BgpFault fault, ReadOnlySpan<byte> data) => new(fault, null, EquatableArray.Create(data));
}
