using System.Net;
using IronLb.Networking;
using IronLb.Networking.Packets;
using IronLb.Networking.Responders;

namespace IronLb.Fuzz.Targets;

/// <summary>The ARP responder's whole decision on one received frame, with a table that owns 192.0.2.10.</summary>
internal sealed class ArpTarget : FuzzTarget
{
    private ArpResponder? _responder;

    public override string Name => "arp";

    public override string Description => "ArpResponder.Process (Ethernet + ARP parsing and the answer decision)";

    public override IReadOnlyList<string> Instrument => ["IronLb.Networking.dll"];

    public override void Run(ReadOnlySpan<byte> input)
    {
        Span<byte> reply = stackalloc byte[128];
        // Built on first use, inside the fuzzer's loop: instrumented code must not run before SharpFuzz starts.
        _responder ??= new ArpResponder("fuzz0", ResponderFixture.InterfaceMac);
        var reason = _responder.Process(input, ResponderFixture.Table, reply, out var length, out _);
        if ((reason == DropReason.None) != (length > 0) || length > reply.Length)
        {
            throw new ContractViolationException($"reason {reason} with a reply of {length} bytes");
        }
    }

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

/// <summary>What the ARP and NDP targets answer for; a class of its own so it is built on first use, not at start.</summary>
internal static class ResponderFixture
{
    public static readonly MacAddress InterfaceMac = new(0x02_00_00_00_00_01UL);

    public static readonly AnnounceTable Table = AnnounceTable.Create(
    [
        KeyValuePair.Create(IPAddress.Parse("192.0.2.10"), InterfaceSelection.All),
        KeyValuePair.Create(IPAddress.Parse("2001:db8::10"), InterfaceSelection.All),
    ]);
}
