using System.Collections.Immutable;
using System.Net;

namespace IronLb.Speaker.Conflicts;

/// <summary>An address this node is elected to announce, and where.</summary>
/// <param name="Address">The address.</param>
/// <param name="Interfaces">The interfaces it would be announced on (resolved: never "all").</param>
/// <param name="MustProbe">Newly assigned (or last seen in conflict): check the LAN before announcing it.</param>
public sealed record AddressWant(IPAddress Address, ImmutableArray<string> Interfaces, bool MustProbe);

/// <summary>A probe round the caller must run: every address on every interface listed.</summary>
public sealed record ProbeRequest(IPAddress Address, ImmutableArray<string> Interfaces);

/// <summary>A host that answered a probe or claimed an address: its MAC (lower-case, colon form) and where it was seen.</summary>
public sealed record ForeignHost(string Interface, string Mac);

/// <summary>What the speaker must say about a conflict: once when it starts (or its MAC changes), once when it ends.</summary>
public sealed record ConflictChange(IPAddress Address, ConflictKind Kind, ForeignHost Host, bool Started);

/// <summary>A conflict in force on an address this node is elected for.</summary>
public sealed record AddressConflict(IPAddress Address, ConflictKind Kind, ForeignHost Host);

/// <summary>The two shapes of conflict (issue 16), each with its own promise.</summary>
public enum ConflictKind : byte
{
    /// <summary>Another host answered this node's probe: the address is not announced until it goes silent.</summary>
    InUse,

    /// <summary>Another host claims an address this node announces: still announced, defended, and reported.</summary>
    Claimed,
}

/// <summary>What one step of the guard asks of the speaker.</summary>
/// <param name="HeldBack">Elected addresses not to announce now (probing, or in use elsewhere).</param>
/// <param name="Probes">Probe rounds to start now.</param>
/// <param name="Defend">Announced addresses to defend now with one gratuitous round, and where.</param>
/// <param name="Changes">Conflicts that started or ended in this step, for logs, events and the status.</param>
/// <param name="NextDeadline">When the guard next has something to do without any input (a re-probe, a claim going quiet); null for never.</param>
public sealed record GuardStep(
    ImmutableHashSet<IPAddress> HeldBack,
    ImmutableArray<ProbeRequest> Probes,
    ImmutableArray<DefenceRequest> Defend,
    ImmutableArray<ConflictChange> Changes,
    TimeSpan? NextDeadline);

/// <summary>One gratuitous round to send for an announced address on one interface (RFC 5227 §2.4(c)).</summary>
public sealed record DefenceRequest(IPAddress Address, string Interface);

/// <summary>How a probe round ended: every foreign MAC that answered (trusted ones included; the guard filters), or why it could not run.</summary>
public sealed record ProbeResult(IPAddress Address, ImmutableArray<ForeignHost> Answers, string? Error = null);

/// <summary>
/// A foreign frame about an address this node holds. <paramref name="Probe"/>: the other host only asked whether the
/// address is free (an ARP probe or a DAD solicitation); that counts against a round of ours in progress (both
/// probing at once, RFC 5227 §2.1.1), never against an address already announced, which the responders defend by answering.
/// </summary>
public sealed record ObservedClaim(IPAddress Address, ForeignHost Host, bool Probe = false);

/// <summary>An address that has had a conflict while this node held it: whether one is in force now, and where it was seen last.</summary>
public sealed record ConflictGauge(IPAddress Address, string Interface, bool Active);
