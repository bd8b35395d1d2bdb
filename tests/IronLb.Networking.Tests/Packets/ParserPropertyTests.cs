using CsCheck;
using IronLb.Networking.Packets;
using IronLb.Networking.Responders;

namespace IronLb.Networking.Tests.Packets;

/// <summary>Random and mutated bytes into every parser: never an exception, and answers only to well-formed requests.</summary>
public sealed class ParserPropertyTests
{
    private static readonly AnnounceTable Table = AnnounceTable.Empty
        .With(System.Net.IPAddress.Parse("192.0.2.100"), InterfaceSelection.All)
        .With(System.Net.IPAddress.Parse("2001:db8:2::100"), InterfaceSelection.All);

    [Fact]
    public void Random_bytes_never_throw() =>
        Gen.Byte.Array[0, 200].Sample(bytes =>
        {
            var reply = new byte[128];
            _ = EthernetHeader.TryRead(bytes, out _);
            _ = ArpPacket.TryRead(bytes, out _);
            _ = Ipv6Header.TryRead(bytes, out _);
            _ = NeighborSolicitation.TryRead(bytes, out _);
            _ = NeighborAdvertisementPacket.TryRead(bytes, out _);
            var a = new ArpResponder("eno2", Frames.Node).Process(bytes, Table, reply, out var n1, out _);
            var d = new NdpResponder("eno2", Frames.Node).Process(bytes, Table, reply, out var n2, out _);
            Assert.True(a != DropReason.None || n1 == ArpPacket.FrameLength);
            Assert.True(d != DropReason.None || n2 == NeighborAdvertisement.FrameLength);
        }, iter: 20_000);

    [Fact]
    public void Mutated_valid_requests_never_throw_and_answers_stay_valid() =>
        Gen.Select(Gen.Int[0, 1], Gen.Int[0, 85], Gen.Byte, Gen.Int[0, 90]).Sample((which, at, value, cut) =>
        {
            var frame = which == 0 ? Frames.Arp() : Frames.Ns();
            frame[Math.Min(at, frame.Length - 1)] = value;
            var span = frame.AsSpan(0, Math.Min(cut, frame.Length));
            var reply = new byte[128];
            var reason = which == 0
                ? new ArpResponder("eno2", Frames.Node).Process(span, Table, reply, out var n, out _)
                : new NdpResponder("eno2", Frames.Node).Process(span, Table, reply, out n, out _);
            if (reason == DropReason.None && which == 1)
            {
                Assert.Equal(DropReason.None, Ipv6Header.TryRead(reply.AsSpan(14, n - 14), out var ip));
                Assert.True(Icmpv6.Verify(ip.Source, ip.Destination, reply.AsSpan(54, 32)));
            }
        }, iter: 20_000);

    [Fact]
    public void Mutated_advertisements_never_throw_and_a_claim_agrees_with_the_reader() =>
        Gen.Select(Gen.Int[0, 85], Gen.Byte, Gen.Int[0, 90], Gen.Bool).Sample((at, value, cut, fix) =>
        {
            var frame = Frames.Na(ethSrc: MacAddress.Parse("02:00:00:00:00:ee"));
            frame[at] = value;
            if (fix && frame[18] == 0 && frame[19] == 32)
            {
                Frames.FixChecksum(frame);
            }

            var span = frame.AsSpan(0, Math.Min(cut, frame.Length));
            var reason = NeighborAdvertisementPacket.TryRead(span, out var na);
            var claims = IronLb.Networking.Conflicts.ClaimClassifier.ReadNdp(span, Frames.Node, out var kind, out var address, out var claimant);
            if (claims && kind == IronLb.Networking.Conflicts.ClaimKind.NeighborAdvertisement)
            {
                Assert.Equal(DropReason.None, reason);
                Assert.Equal((na.Target, na.Claimant), (address, claimant));
            }

            if (reason == DropReason.None)
            {
                Assert.False(Ipv6Header.IsMulticast(na.Target));
            }
        }, iter: 20_000);
}
