namespace IronLb.Networking.Packets;

/// <summary>
/// Why a received frame was not answered. Every decision of the codecs and responders is one of these,
/// so each path is a table-test row (MetalLB's <c>dropReason</c>, but typed).
/// </summary>
public enum DropReason : byte
{
    /// <summary>Not dropped: the frame was a request we answer.</summary>
    None = 0,

    // Malformed frames (see DropReasonExtensions.IsMalformed).

    /// <summary>Shorter than its headers or than its own length fields say.</summary>
    Truncated,

    /// <summary>A header field has a value the protocol forbids (ARP formats, IPv6 version, ICMPv6 code, multicast NS target).</summary>
    BadHeader,

    /// <summary>The ICMPv6 checksum over the pseudo-header does not verify.</summary>
    BadChecksum,

    /// <summary>An NDP option has length zero (the classic option loop) or runs past the packet.</summary>
    BadOption,

    /// <summary>NDP must arrive with hop limit 255 (RFC 4861 §7.1.1); anything else was routed.</summary>
    BadHopLimit,

    // Well-formed frames we do not answer.

    /// <summary>Not the ethertype this responder handles.</summary>
    WrongEtherType,

    /// <summary>IPv6 whose next header is not ICMPv6 (extension headers are not followed).</summary>
    NotIcmpv6,

    /// <summary>ARP reply, or ICMPv6 other than a neighbour solicitation.</summary>
    NotRequest,

    /// <summary>The frame came from this interface's own MAC.</summary>
    OwnFrame,

    /// <summary>Ethernet or IPv6 destination is neither ours, broadcast, nor the target's solicited-node group.</summary>
    WrongDestination,

    /// <summary>NS without a source link-layer address option (DAD probes from ::); MetalLB ignores these too.</summary>
    NoSourceLinkLayer,

    /// <summary>The target address is not announced by this node.</summary>
    NotOwned,

    /// <summary>The target address is announced, but not on this interface.</summary>
    WrongInterface,

    /// <summary>A request we would answer, but the answer deadline has passed: the speaker stopped refreshing it (<see cref="AnswerDeadline"/>).</summary>
    NotAnswering,

    /// <summary>
    /// An ARP announcement (a request whose sender IP is its target IP, RFC 5227 §2.3): it asks nobody anything,
    /// so nothing is owed. It claims its address, which the conflict check reports (<see cref="Conflicts.ClaimKind.ArpAnnouncement"/>).
    /// </summary>
    Announcement,
}

/// <summary>Helpers over <see cref="DropReason"/>.</summary>
public static class DropReasonExtensions
{
    /// <summary>The malformed family: what the issue calls "Malformed".</summary>
    public static bool IsMalformed(this DropReason reason) =>
        reason is DropReason.Truncated or DropReason.BadHeader or DropReason.BadChecksum
            or DropReason.BadOption or DropReason.BadHopLimit;

    /// <summary>Number of enum values, for counter arrays indexed by reason.</summary>
    public const int Count = (int)DropReason.Announcement + 1;
}
