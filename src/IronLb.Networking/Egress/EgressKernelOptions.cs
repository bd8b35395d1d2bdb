using System.Collections.Immutable;
using System.Numerics;

namespace IronLb.Networking.Egress;

/// <summary>
/// Where IronLB's egress lives in the kernel's policy routing: the routing tables it may fill, the one rule
/// priority it uses, and the firewall-mark bits it may set. IronLB owns exactly the rules at
/// <see cref="RulePriority"/> whose table is in [<see cref="RouteTableBase"/>, <see cref="RouteTableBase"/> + 255]
/// and every route in those tables; nothing else.
/// </summary>
public sealed record EgressKernelOptions
{
    /// <summary>Tables IronLB may own: one per next hop and family, at most this many.</summary>
    public const int TableCount = 256;

    public static EgressKernelOptions Default { get; } = new();

    /// <summary>The first routing table; next hop k of a family routes through table base + k.</summary>
    public uint RouteTableBase { get; init; } = 17900;

    /// <summary>The priority of every `ip rule` IronLB adds (lower runs earlier; main is 32766).</summary>
    public uint RulePriority { get; init; } = 17900;

    /// <summary>The firewall-mark bits IronLB may set (contiguous); bits outside it are never touched, so a CNI's
    /// own marks survive.</summary>
    public uint FwmarkMask { get; init; } = 0x0ff00000;

    /// <summary>How far a mark value is shifted into <see cref="FwmarkMask"/>.</summary>
    public int MarkShift => FwmarkMask == 0 ? 0 : BitOperations.TrailingZeroCount(FwmarkMask);

    /// <summary>Distinct next hops one family can have: the mark values that fit the mask (0 means "unmarked"),
    /// and no more than the tables IronLB owns.</summary>
    public int NextHopCapacity => FwmarkMask == 0 ? 0 : (int)Math.Min(TableCount, FwmarkMask >> MarkShift);

    /// <summary>The table of next hop <paramref name="index"/>.</summary>
    public uint Table(int index) => RouteTableBase + (uint)index;

    /// <summary>The mark of next hop <paramref name="index"/>: index + 1 placed inside the mask.</summary>
    public uint Mark(int index) => (uint)(index + 1) << MarkShift;

    /// <summary>True when <paramref name="table"/> is one of IronLB's.</summary>
    public bool OwnsTable(uint table) => table >= RouteTableBase && table - RouteTableBase < TableCount;

    /// <summary>Every problem at once (empty when usable).</summary>
    public ImmutableArray<string> Validate()
    {
        var problems = ImmutableArray.CreateBuilder<string>();
        if (FwmarkMask == 0)
        {
            problems.Add("fwmark mask must not be 0");
        }
        else if (!IsContiguous(FwmarkMask))
        {
            problems.Add($"fwmark mask 0x{FwmarkMask:x8} must be one run of contiguous bits");
        }

        if ((ulong)RouteTableBase + TableCount - 1 > uint.MaxValue)
        {
            problems.Add($"route table base {RouteTableBase} leaves no room for {TableCount} tables below 2^32");
        }
        else if (RouteTableBase <= 255 && RouteTableBase + TableCount - 1 >= 253 || RouteTableBase == 0)
        {
            // 0 is "unspecified", 253–255 are the kernel's default, main and local tables.
            problems.Add($"route tables {RouteTableBase}–{RouteTableBase + TableCount - 1} include one of the kernel's (0, 253, 254, 255)");
        }

        if (RulePriority is 0 or 32766 or 32767)
        {
            problems.Add($"rule priority {RulePriority} is taken by the kernel's own rules (0 local, 32766 main, 32767 default)");
        }

        return problems.ToImmutable();
    }

    private static bool IsContiguous(uint mask)
    {
        var run = (ulong)(mask >> BitOperations.TrailingZeroCount(mask));
        return (run & (run + 1)) == 0;
    }
}
