using IronLb.Fuzz.Exercises;
using IronLb.Networking.Packets;

namespace IronLb.Fuzz.Targets;

/// <summary>The NDP responder's whole decision on one received frame (Ethernet, IPv6, ICMPv6, NS options; <see cref="NetworkingExercises"/>).</summary>
internal sealed class NdpTarget : FuzzTarget
{
    public override string Name => "ndp";

    public override string Description => "NdpResponder.Process (IPv6 + neighbour solicitation parsing, checksum, options)";

    public override IReadOnlyList<string> Instrument => ["IronLb.Networking.dll"];

    public override void Run(ReadOnlySpan<byte> input) => NetworkingExercises.Ndp(input);

    public override IEnumerable<(string Name, byte[] Bytes)> Seeds()
    {
        var asker = new MacAddress(0x02_00_00_00_00_02UL);
        var owned = (UInt128)System.Net.IPAddress.Parse("2001:db8::10").GetAddressBytes().Aggregate(UInt128.Zero, (a, b) => (a << 8) | b);
        var source = owned + 1;
        var frame = new byte[128];
        var length = NeighborSolicitation.WriteFrame(frame, asker, source, owned, asker);
        yield return ("ns-owned", frame[..length]);
        length = NeighborSolicitation.WriteFrame(frame, asker, UInt128.Zero, owned, null);
        yield return ("ns-dad", frame[..length]);
        length = NeighborSolicitation.WriteFrame(frame, asker, source, owned + 5, asker);
        yield return ("ns-other", frame[..length]);
    }
}
