using CsCheck;
using IronLb.Core.Addressing;
using IronLb.Core.Allocation;
using IronLb.Core.Configuration;
using static IronLb.Core.Tests.Allocation.Fixtures;

namespace IronLb.Core.Tests.Allocation;

/// <summary>
/// The allocator's free-space index against MetalLB's naive scan (§3.6): walk the pool's prefixes in spec order,
/// each from its first to its last address, skip used ones (and .0/.255 with avoidBuggyIPs), take the first.
/// </summary>
public sealed class FreeAddressProperties
{
    private static readonly string[] Blocks = ["10.0.0.0/30", "10.0.0.252/30", "10.0.1.0/31", "10.0.0.8/29", "10.0.2.255/32", "fd00::/126", "fd00::100/125"];

    private static AddressPool PoolFrom(int[] order, bool avoidBuggy) =>
        Pool("p", [.. order.Distinct().Select(i => Blocks[i])]) with { AvoidBuggyIps = avoidBuggy };

    private static IEnumerable<Address> ScanOrder(AddressPool pool) =>
        pool.Cidrs.SelectMany(c => Enumerable.Range(0, (int)c.Size).Select(i => c.First.Add((UInt128)i)))
            .Where(a => !(pool.AvoidBuggyIps && a.IsBuggy));

    /// <summary>Kind 0–5 automatic allocation (even IPv4, odd IPv6), 6–7 release, 8 explicit address, 9 reorder the prefixes.</summary>
    public sealed record Move(int Kind, int Pick);

    [Fact]
    public void Automatic_allocation_takes_the_first_free_address_in_scan_order()
    {
        var gen = Gen.Select(Gen.Int[0, 6].Array[1, 7], Gen.Bool, Gen.Select(Gen.Int[0, 9], Gen.Int[0, 1000], (k, p) => new Move(k, p)).Array[1, 60]);
        gen.Sample((order, avoidBuggy, steps) =>
        {
            var pool = PoolFrom(order, avoidBuggy);
            var allocator = AllocatorWith(pool);
            var used = new Dictionary<ServiceKey, Address>();
            var counter = 0;
            foreach (var step in steps)
            {
                var current = allocator.Config.ByName["p"];
                switch (step.Kind)
                {
                    case < 6:
                    {
                        var family = step.Kind % 2 == 0 ? IpFamily.IPv4 : IpFamily.IPv6;
                        var expected = ScanOrder(current).Where(a => a.Family == family && !used.ContainsValue(a)).Cast<Address?>().FirstOrDefault();
                        var request = Request($"s{counter++}");
                        var result = allocator.Allocate(request, family.ToServiceFamily(), IpFamilyPolicy.SingleStack, IpFamily.IPv4);
                        if (expected is null)
                        {
                            Assert.False(result.Succeeded, $"expected exhaustion, got {Text(result.Ips)}");
                        }
                        else
                        {
                            Assert.True(result.Succeeded, $"expected {expected}: {result.Error}");
                            Assert.Equal(expected.Value, Assert.Single(result.Ips));
                            used[request.Key] = expected.Value;
                        }

                        break;
                    }

                    case < 8 when used.Count > 0:
                    {
                        var key = used.Keys.OrderBy(k => k, ServiceKey.Ordinal).ElementAt(step.Pick % used.Count);
                        Assert.True(allocator.Unassign(key));
                        used.Remove(key);
                        break;
                    }

                    case 8:
                    {
                        // An explicit address anywhere in the blocks (possibly outside the pool, buggy or used).
                        var all = Blocks.SelectMany(b => ScanOrder(Pool("x", b))).Append(Ip("10.0.0.255")).ToList();
                        var address = all[step.Pick % all.Count];
                        var request = Request($"s{counter++}");
                        var ok = current.Contains(address) && !used.ContainsValue(address);
                        Assert.Equal(ok, allocator.Assign(request, [address]) is null);
                        if (ok)
                        {
                            used[request.Key] = address;
                        }

                        break;
                    }

                    case 9:
                    {
                        // Same prefixes in another order: nothing moves, but the scan order changes.
                        var shuffled = current.Cidrs.OrderBy(c => (c.GetHashCode() ^ step.Pick) & 0xFFFF).ThenBy(c => c.First).ToArray();
                        allocator.SetPools(new LoadBalancerConfig([current with { Cidrs = [.. shuffled] }]));
                        Assert.Equal(used.Count, allocator.AllocationCount);
                        break;
                    }
                }

                Assert.Equal(
                    new PoolCounters(used.Values.Count(a => a.Family == IpFamily.IPv4), used.Values.Count(a => a.Family == IpFamily.IPv6)),
                    allocator.Counters("p"));
            }
        }, iter: 400);
    }

    [Fact]
    public void A_large_pool_fills_completely_in_order_and_refills_holes_lowest_first()
    {
        var allocator = AllocatorWith(Pool("p", "10.0.4.0/23", "10.0.0.0/24") with { AvoidBuggyIps = true });
        var expected = ScanOrder(allocator.Config.ByName["p"]).ToList();
        Assert.Equal(508 + 254, expected.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var result = allocator.Allocate(Request($"s{i}"), ServiceFamily.IPv4, IpFamilyPolicy.SingleStack, IpFamily.IPv4);
            Assert.Equal(expected[i], Assert.Single(result.Ips));
        }

        Assert.False(allocator.Allocate(Request("full"), ServiceFamily.IPv4, IpFamilyPolicy.SingleStack, IpFamily.IPv4).Succeeded);

        // Free every third address, from the end; they come back lowest first.
        var freed = Enumerable.Range(0, expected.Count).Where(i => i % 3 == 0).Reverse().ToList();
        foreach (var i in freed)
        {
            allocator.Unassign(new ServiceKey("default", $"s{i}"));
        }

        foreach (var i in freed.AsEnumerable().Reverse())
        {
            Assert.Equal(expected[i], Assert.Single(allocator.Allocate(Request($"again{i}"), ServiceFamily.IPv4, IpFamilyPolicy.SingleStack, IpFamily.IPv4).Ips));
        }
    }
}
