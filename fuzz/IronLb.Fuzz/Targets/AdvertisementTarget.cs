using IronLb.Fuzz.Exercises;
using IronLb.Networking.Packets;

namespace IronLb.Fuzz.Targets;

/// <summary>
/// The neighbour advertisement reader and the conflict check's reading of IPv6 frames (another host's claims:
/// advertisements and DAD probes; <see cref="NetworkingExercises.Advertisement"/>).
/// </summary>
internal sealed class AdvertisementTarget : FuzzTarget
{
    public override string Name => "ndp-advert";

    public override string Description => "NeighborAdvertisementPacket.TryRead and ClaimClassifier.ReadNdp (advertisements, DAD probes, options, checksum)";

    public override IReadOnlyList<string> Instrument => ["IronLb.Networking.dll"];

    public override void Run(ReadOnlySpan<byte> input) => NetworkingExercises.Advertisement(input);

    public override IEnumerable<(string Name, byte[] Bytes)> Seeds()
    {
        var rogue = new MacAddress(0x02_00_00_00_00_EEUL);
        var owned = (UInt128)System.Net.IPAddress.Parse("2001:db8::10").GetAddressBytes().Aggregate(UInt128.Zero, (a, b) => (a << 8) | b);
        var frame = new byte[128];
        var length = NeighborAdvertisement.WriteFrame(frame, MacAddress.AllNodes, rogue, owned, Ipv6Header.AllNodes, NeighborAdvertisement.FlagOverride);
        yield return ("na-unsolicited", frame[..length]);
        length = NeighborAdvertisement.WriteFrame(frame, ResponderFixtureMac, rogue, owned, owned + 1, NeighborAdvertisement.FlagSolicited | NeighborAdvertisement.FlagOverride);
        yield return ("na-solicited", frame[..length]);
        length = NeighborSolicitation.WriteDadProbe(frame, rogue, owned);
        yield return ("ns-dad", frame[..length]);
    }

    private static MacAddress ResponderFixtureMac => new(0x02_00_00_00_00_01UL);
}
