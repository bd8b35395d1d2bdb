using CsCheck;
using IronLb.Core.Addressing;
using IronLb.Core.Configuration;
using static IronLb.Core.Tests.Configuration.Resources;

namespace IronLb.Core.Tests.Configuration;

/// <summary>Random pool sets: the parser never throws, accepts exactly the overlap-free ones, and keeps every valid pool in Partial.</summary>
public sealed class ParserProperties
{
    private static readonly string[] Entries =
    [
        "10.0.0.0/24", "10.0.0.0/25", "10.0.0.128/25", "10.0.0.5/32", "10.0.0.1-10.0.0.100", "10.0.0.101-10.0.0.200", "10.0.1.0/24",
        "10.0.0.0/16", "fd00::/120", "fd00::80/121", "fd00::1-fd00::ff", "fd00:1::/64", "not-an-ip", " 10.0.2.0/24", "10.0.3.9-10.0.3.1",
    ];

    [Fact]
    public void Accepts_exactly_the_overlap_free_pool_sets()
    {
        var genPool = Gen.Int[0, Entries.Length - 1].Array[0, 3];
        Gen.Select(genPool.Array[1, 4], Gen.Bool).Sample((pools, sameName) =>
        {
            var resources = Cluster([.. pools.Select((entries, i) => Pool(sameName && i == 1 ? "p0" : $"p{i}", [.. entries.Select(e => Entries[e])]))]);
            var result = ConfigParser.Parse(resources);

            // Oracle: every entry parses, no pool is empty, names are unique, and no two prefixes anywhere overlap.
            var all = new List<Cidr>();
            var entriesOk = true;
            foreach (var entries in pools)
            {
                foreach (var entry in entries)
                {
                    if (PoolAddressParser.TryParse(Entries[entry], out var cidrs, out _))
                    {
                        all.AddRange(cidrs);
                    }
                    else
                    {
                        entriesOk = false;
                    }
                }
            }

            var overlap = all.Where((c, i) => all.Take(i).Any(c.Overlaps)).Any();
            var valid = entriesOk && !overlap && pools.All(p => p.Length > 0) && !(sameName && pools.Length > 1);
            Assert.Equal(valid, result.IsValid);
            Assert.Equal(overlap, result.Errors.Any(e => e.Message.Contains("overlaps with already defined CIDR", StringComparison.Ordinal)));
            Assert.All(result.Errors, e => Assert.StartsWith("p", e.Target.Name, StringComparison.Ordinal));

            // Partial: the pools with no error of their own, in name order, with their prefixes in spec order.
            // (With a duplicate name both objects share one ObjectRef, so only "at most one p0" can be checked there.)
            var failed = result.Errors.Select(e => e.Target.Name).Where(n => !(sameName && n == "p0")).ToHashSet();
            Assert.All(result.Partial.Pools, p => Assert.DoesNotContain(p.Name, failed));
            Assert.Equal(result.Partial.Pools.Length, result.Partial.Pools.Select(p => p.Name).Distinct().Count());
            var partialCidrs = result.Partial.Pools.SelectMany(p => p.Cidrs).ToList();
            Assert.False(partialCidrs.Where((c, i) => partialCidrs.Take(i).Any(c.Overlaps)).Any(), "Partial holds overlapping prefixes");
        }, iter: 1500);
    }
}
