using System.Collections.Immutable;

namespace IronLb.Membership.Simulation;

/// <summary>
/// What the simulator needs from a membership protocol, and nothing more: the simulator stays
/// protocol-agnostic, and a protocol is plugged in by a small adapter (see <see cref="V1Membership"/>).
/// One instance is one run of one node; a restart creates a new instance.
/// </summary>
public interface IMembershipUnderTest
{
    /// <summary>The node's name, as in <see cref="NodeSetup.Members"/>.</summary>
    string Name { get; }

    /// <summary>Called once, before any Tick or Receive.</summary>
    void Start();

    /// <summary>Called every <see cref="ProtocolFactory.TickPeriod"/>; returns what to send now.
    /// Payloads must not be changed afterwards: the network holds them until delivery.</summary>
    IReadOnlyList<Datagram> Tick();

    /// <summary>A datagram arrived from <paramref name="from"/> (the network's source, which a protocol may ignore).</summary>
    void Receive(string from, ReadOnlySpan<byte> datagram);

    /// <summary>The set this node would elect over now (the election's speakers).</summary>
    IReadOnlySet<string> Live { get; }

    /// <summary>Whether the node would answer for the addresses it wins (false while fenced or self-excluded).</summary>
    bool Answering { get; }
}

/// <summary>One datagram to one node, by name.</summary>
public readonly record struct Datagram(string To, ReadOnlyMemory<byte> Payload);

/// <summary>What a node is created with: its name, every member's name, its own clock and a seed for its randomness.</summary>
public sealed record NodeSetup(string Name, ImmutableArray<string> Members, TimeProvider Time, ulong Seed);

/// <summary>
/// A protocol the simulator and the bench know: its name on the command line, a line on what it is, how
/// often its nodes want Tick, and how to create one node.
/// </summary>
public sealed record ProtocolFactory(string Name, string Description, TimeSpan TickPeriod, Func<NodeSetup, IMembershipUnderTest> Create);

/// <summary>Every protocol the bench can compare, in the order it prints them.</summary>
public static class MembershipProtocols
{
    public static IReadOnlyList<ProtocolFactory> All { get; } = [V1Membership.Factory(), V2Membership.Factory()];

    public static ProtocolFactory? Find(string name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal));
}
