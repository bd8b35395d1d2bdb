using System.Collections.Immutable;
using System.Net;
using IronLb.Networking.Packets;

namespace IronLb.Networking.Conflicts;

/// <summary>
/// What probing one address on one interface found: every foreign MAC that claimed it during the window, in the
/// order first seen, or why the probe could not run (<paramref name="Error"/> names the interface and the cause).
/// </summary>
public sealed record ProbeOutcome(string Interface, IPAddress Address, ImmutableArray<MacAddress> Responders, string? Error)
{
    /// <summary>Someone answered. The caller filters the MACs it trusts (IronLB nodes) itself.</summary>
    public bool InUse => !Responders.IsDefaultOrEmpty;
}
