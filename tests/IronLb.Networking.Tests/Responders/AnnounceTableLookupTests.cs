using System.Buffers.Binary;
using System.Net;
using CsCheck;

namespace IronLb.Networking.Tests.Responders;

/// <summary>
/// The per-packet lookups (open addressing over flat arrays) against a plain dictionary: every announced
/// address is found with its entry, nothing else is, whatever the addresses and however they collide.
/// </summary>
public sealed class AnnounceTableLookupTests
{
    [Fact]
    public void V4_lookup_finds_exactly_the_announced_addresses() =>
        Gen.Select(Gen.UInt.Array[0, 300], Gen.UInt.Array[1, 50]).Sample((announced, probes) =>
        {
            var table = AnnounceTable.Create(announced.Distinct().Select(a => KeyValuePair.Create(V4(a), InterfaceSelection.All)));
            var set = announced.ToHashSet();
            foreach (var a in announced.Concat(probes))
            {
                var entry = table.FindV4(a);
                Assert.Equal(set.Contains(a), entry is not null);
                Assert.True(entry is null || entry.V4 == a);
            }
        }, iter: 2_000);

    [Fact]
    public void V6_lookup_finds_exactly_the_announced_addresses() =>
        Gen.Select(Gen.ULong.Array[0, 300], Gen.ULong.Array[1, 50]).Sample((low, probes) =>
        {
            // One /64, as a pool hands them out: only the low half varies.
            UInt128 Address(ulong l) => ((UInt128)0x2001_0db8_0002_0000UL << 64) | l;
            var table = AnnounceTable.Create(low.Distinct().Select(l => KeyValuePair.Create(V6(Address(l)), InterfaceSelection.All)));
            var set = low.ToHashSet();
            foreach (var l in low.Concat(probes))
            {
                var entry = table.FindV6(Address(l));
                Assert.Equal(set.Contains(l), entry is not null);
                Assert.True(entry is null || entry.V6 == Address(l));
            }
        }, iter: 2_000);

    [Fact]
    public void Lookups_in_the_empty_table_find_nothing()
    {
        Assert.Null(AnnounceTable.Empty.FindV4(0));
        Assert.Null(AnnounceTable.Empty.FindV6(UInt128.MaxValue));
    }

    private static IPAddress V4(uint a)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, a);
        return new IPAddress(b);
    }

    private static IPAddress V6(UInt128 a)
    {
        var b = new byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(b, a);
        return new IPAddress(b);
    }
}
