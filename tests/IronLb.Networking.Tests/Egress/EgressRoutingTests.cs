using System.Net;
using System.Net.Sockets;
using IronLb.Networking.Egress;
using static IronLb.Networking.Tests.Egress.EgressSets;

namespace IronLb.Networking.Tests.Egress;

public sealed class EgressRoutingTests
{
    [Fact]
    public void Each_family_numbers_its_next_hops_by_address()
    {
        var set = Set(
            Steer("a/one", "192.0.2.200", "192.0.2.13", "198.51.100.65"),
            Steer("b/two", "192.0.2.201", "192.0.2.12", "198.51.100.66"),
            Steer("c/three", "192.0.2.202", "192.0.2.13", "198.51.100.67"),
            Steer("c/three", "2001:db8:200::1", "2001:db8:2::13", "2001:db8:100::67"),
            Translate("d/four", "192.0.2.203", "198.51.100.68"));
        Assert.Equal(
            [
                new EgressRoute(AddressFamily.InterNetwork, 17900, 0x00100000, IPAddress.Parse("192.0.2.12")),
                new EgressRoute(AddressFamily.InterNetwork, 17901, 0x00200000, IPAddress.Parse("192.0.2.13")),
                new EgressRoute(AddressFamily.InterNetworkV6, 17900, 0x00100000, IPAddress.Parse("2001:db8:2::13")),
            ],
            EgressRouting.Plan(set, EgressKernelOptions.Default));
    }

    [Fact]
    public void Next_hops_beyond_the_mask_are_left_out_and_named()
    {
        var options = new EgressKernelOptions { FwmarkMask = 0x3 }; // marks 1..3
        var set = Set([.. Enumerable.Range(1, 4).Select(i => Steer($"ns/s{i}", $"192.0.2.{200 + i}", $"192.0.2.{10 + i}", $"198.51.100.{i}"))]);
        Assert.Equal([1u, 2u, 3u], EgressRouting.Plan(set, options).Select(r => r.Mark));
        Assert.Equal(["4 IPv4 next hops, but the fwmark mask and 256 tables allow 3"], EgressRouting.Problems(set, options));
    }

    public static TheoryData<string, EgressEntry> ProblemRows => new()
    {
        { "ns/s IPv4: steered without an IPv4 next hop", Translate("ns/s", "192.0.2.200", "198.51.100.1") with { Role = EgressRole.Steer } },
        { "ns/s IPv4: steered without an IPv4 next hop", Steer("ns/s", "192.0.2.200", "2001:db8:2::12", "198.51.100.1") },
        { "ns/s IPv4: a source address is not IPv4", Translate("ns/s", "192.0.2.200", "2001:db8:100::1") },
        { "ns/s IPv6: service address 192.0.2.200 is not IPv6", Translate("ns/s", "192.0.2.200", "2001:db8:100::1") with { Family = AddressFamily.InterNetworkV6 } },
    };

    [Theory]
    [MemberData(nameof(ProblemRows))]
    public void A_malformed_entry_is_named(string problem, EgressEntry entry) =>
        Assert.Contains(problem, EgressRouting.Problems(Set(entry), EgressKernelOptions.Default));

    public static TheoryData<uint, uint, uint, string?> OptionRows => new()
    {
        { 17900, 17900, 0x0ff00000, null },
        { 17900, 17900, 0, "fwmark mask must not be 0" },
        { 17900, 17900, 0x0f0f0000, "fwmark mask 0x0f0f0000 must be one run of contiguous bits" },
        { 17900, 17900, 0xffffffff, null },
        { 1, 17900, 0x0ff00000, "route tables 1–256 include one of the kernel's (0, 253, 254, 255)" },
        { 0, 17900, 0x0ff00000, "route tables 0–255 include one of the kernel's (0, 253, 254, 255)" },
        { uint.MaxValue - 10, 17900, 0x0ff00000, $"route table base {uint.MaxValue - 10} leaves no room for 256 tables below 2^32" },
        { 17900, 32766, 0x0ff00000, "rule priority 32766 is taken by the kernel's own rules (0 local, 32766 main, 32767 default)" },
    };

    [Theory]
    [MemberData(nameof(OptionRows))]
    public void Options_validate(uint tableBase, uint priority, uint mask, string? problem)
    {
        var options = new EgressKernelOptions { RouteTableBase = tableBase, RulePriority = priority, FwmarkMask = mask };
        Assert.Equal(problem is null ? [] : [problem], options.Validate());
    }
}
