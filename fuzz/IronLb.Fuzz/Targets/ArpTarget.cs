using IronLb.Fuzz.Exercises;
using IronLb.Networking.Packets;

namespace IronLb.Fuzz.Targets;

/// <summary>The ARP responder's whole decision on one received frame, with a table that owns 192.0.2.10 (<see cref="NetworkingExercises"/>).</summary>
internal sealed class ArpTarget : FuzzTarget
{
    public override string Name => "arp";

    public override string Description => "ArpResponder.Process (Ethernet + ARP parsing and the answer decision)";

    public override IReadOnlyList<string> Instrument => ["IronLb.Networking.dll"];

    public override void Run(ReadOnlySpan<byte> input) => NetworkingExercises.Arp(input);

    public override IEnumerable<(string Name, byte[] Bytes)> Seeds()
    {
        // (Seeds run in the uninstrumented build.)
        var asker = new MacAddress(0x02_00_00_00_00_02UL);
        foreach (var (name, op, target) in new[] { ("request-owned", ArpPacket.OpRequest, 0xC000_020AU), ("request-other", ArpPacket.OpRequest, 0xC000_020BU), ("reply", ArpPacket.OpReply, 0xC000_020AU) })
        {
            var frame = new byte[60];
            new ArpPacket(op, asker, 0xC000_0201U, default, target).WriteFrame(frame, MacAddress.Broadcast, asker);
            yield return (name, frame);
        }
    }
}
