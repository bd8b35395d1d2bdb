using System.Net;
using CsCheck;
using IronLb.Core.Addressing;

namespace IronLb.Core.Tests.Addressing;

/// <summary>Random addresses and ranges against independent oracles (the BCL's IPAddress, and plain arithmetic).</summary>
public sealed class AddressingProperties
{
    // IPv6 values with runs of zero groups, so compression and its tie rules are exercised often.
    private static readonly Gen<UInt128> GenV6 = Gen.Select(Gen.UShort.Array[8, 8], Gen.Int[0, 255], (groups, zeroMask) =>
    {
        UInt128 value = 0;
        for (var i = 0; i < 8; i++)
        {
            value = (value << 16) | ((zeroMask & (1 << i)) != 0 ? (ushort)0 : groups[i]);
        }

        return value;
    });

    // The BCL prints an embedded dotted quad for mapped, compatible and ISATAP (…:5efe:a.b.c.d) addresses; Go does not.
    private static bool IsMappedOrCompatible(UInt128 value) =>
        (value >> 32) == 0xFFFF || (value >> 32) == 0 || (ushort)(value >> 32) == 0x5EFE;

    [Fact]
    public void IPv6_text_matches_the_BCL_and_parses_back()
    {
        GenV6.Sample(value =>
        {
            var address = Address.IPv6(value);
            var text = address.ToString();
            Assert.True(Address.TryParse(text, out var back), text);
            if (IsMappedOrCompatible(value))
            {
                // ::ffff:a.b.c.d is IPv4 (Go's To4); elsewhere the BCL's dotted quads differ from Go's hex.
                return;
            }

            Assert.Equal(address, back);
            var bytes = new byte[16];
            for (var i = 0; i < 16; i++)
            {
                bytes[i] = (byte)(value >> (120 - (8 * i)));
            }

            Assert.Equal(new IPAddress(bytes).ToString(), text);
            Assert.Equal(text, Address.Parse(new IPAddress(bytes).ToString()).ToString());
        }, iter: 3000);
    }

    [Fact]
    public void IPv4_text_matches_the_BCL_and_parses_back()
    {
        Gen.UInt.Sample(value =>
        {
            var address = Address.IPv4(value);
            var text = address.ToString();
            Assert.Equal(new IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]).ToString(), text);
            Assert.Equal(address, Address.Parse(text));
            Assert.Equal(address, Address.Parse("::ffff:" + text));
        }, iter: 2000);
    }

    [Fact]
    public void IPv6_ranges_are_tiled_exactly_by_aligned_prefixes()
    {
        Gen.Select(GenV6, GenV6, Gen.Int[0, 127]).Sample((a, b, shift) =>
        {
            // Short and long ranges alike: the end is the start plus a random span of up to 2^shift.
            var start = UInt128.Min(a, b);
            var span = (UInt128.Max(a, b) - start) >> shift;
            var end = start + span;
            var cidrs = new AddressRange(Address.IPv6(start), Address.IPv6(end)).ToCidrs();
            Assert.True(cidrs.Length <= 2 * 128, $"{cidrs.Length} prefixes");
            var next = start;
            foreach (var cidr in cidrs)
            {
                Assert.Equal(next, cidr.First.Value);
                Assert.Equal(IpFamily.IPv6, cidr.Family);
                next = cidr.Last.Value + 1;
            }

            Assert.Equal(end, cidrs[^1].Last.Value);
        }, iter: 2000);
    }

    [Fact]
    public void Range_text_round_trips_through_the_pool_parser()
    {
        Gen.Select(Gen.UInt, Gen.UInt).Sample((a, b) =>
        {
            var (start, end) = (Math.Min(a, b), Math.Max(a, b));
            var entry = $"{Address.IPv4(start)} - {Address.IPv4(end)}";
            Assert.True(PoolAddressParser.TryParse(entry, out var cidrs, out var error), error);
            Assert.Equal(start, (uint)cidrs[0].First.Value);
            Assert.Equal(end, (uint)cidrs[^1].Last.Value);
            Assert.Equal((System.Numerics.BigInteger)end - start + 1, cidrs.Aggregate(System.Numerics.BigInteger.Zero, (sum, c) => sum + c.Size));
            if (start != end)
            {
                Assert.False(PoolAddressParser.TryParse($"{Address.IPv4(end)}-{Address.IPv4(start)}", out _, out _));
            }
        }, iter: 2000);
    }
}
