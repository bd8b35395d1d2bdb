using System.Collections.Immutable;

namespace IronLb.Core.Addressing;

/// <summary>An inclusive range of addresses of one family.</summary>
public readonly record struct AddressRange(Address First, Address Last)
{
    /// <summary>
    /// The minimal list of prefixes covering the range, ascending (MetalLB summarises ranges the same way,
    /// so 192.168.160.130-192.168.160.150 is .130/31 .132/30 .136/29 .144/30 .148/31 .150/32).
    /// </summary>
    public ImmutableArray<Cidr> ToCidrs()
    {
        var bits = First.Bits;
        var builder = ImmutableArray.CreateBuilder<Cidr>();
        var start = First.Value;
        var end = Last.Value;
        while (true)
        {
            // The largest aligned block at start that does not run past end.
            var hostBits = start == 0 ? bits : Math.Min(bits, (int)UInt128.TrailingZeroCount(start));
            while (hostBits > 0 && Cidr.HostMask(hostBits) > end - start)
            {
                hostBits--;
            }

            builder.Add(new Cidr(First with { Value = start }, bits - hostBits));
            var blockLast = start + Cidr.HostMask(hostBits);
            if (blockLast >= end)
            {
                return builder.ToImmutable();
            }

            start = blockLast + 1;
        }
    }
}
