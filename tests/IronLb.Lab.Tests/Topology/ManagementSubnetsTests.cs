using System.Net;
using IronLb.Lab.Topology;

namespace IronLb.Lab.Tests.Topology;

public sealed class ManagementSubnetsTests
{
    private static readonly SubnetUse HostEth0 = new(IPNetwork.Parse("192.0.2.0/24"), "host interface eth0 (192.0.2.5/24)");

    private static SubnetUse Lab(string cidr, string name, bool leftover = false) =>
        new(IPNetwork.Parse(cidr), leftover ? $"lab {name}, a leftover" : $"lab {name}", name, leftover);

    [Fact]
    public void Takes_the_first_quarter_when_nothing_is_on_203_0_113() =>
        Assert.Equal(IPNetwork.Parse("203.0.113.0/26"), ManagementSubnets.Choose(null, [HostEth0], out _));

    [Fact]
    public void Skips_slices_used_by_a_host_interface_or_claimed_by_another_lab()
    {
        // Another lab's host link (its /26), and a lab still building that has only its state file (a /27).
        SubnetUse[] used = [HostEth0, Lab("203.0.113.0/26", "a"), Lab("203.0.113.64/27", "b")];
        Assert.Equal(IPNetwork.Parse("203.0.113.128/26"), ManagementSubnets.Choose(null, used, out var problem));
        Assert.Null(problem);
    }

    [Fact]
    public void A_host_address_anywhere_in_the_24_leaves_nothing_free()
    {
        Assert.Null(ManagementSubnets.Choose(null, [new SubnetUse(IPNetwork.Parse("203.0.113.0/24"), "host interface eth1 (203.0.113.9/24)")], out var problem));
        Assert.Contains("--mgmt-subnet", problem, StringComparison.Ordinal);
        Assert.Contains("203.0.113.0/24 by host interface eth1 (203.0.113.9/24)", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void When_nothing_is_free_the_message_names_every_lab_in_the_way_and_no_unrelated_network()
    {
        SubnetUse[] used = [HostEth0, Lab("203.0.113.0/26", "one"), Lab("203.0.113.64/26", "two", leftover: true), Lab("203.0.113.128/26", "three"), Lab("203.0.113.192/26", "four", leftover: true)];
        Assert.Null(ManagementSubnets.Choose(null, used, out var problem));
        Assert.Equal(
            "every /26 of 203.0.113.0/24 is on a host interface or another lab: 203.0.113.0/26 by lab one; 203.0.113.64/26 by lab two, a leftover; "
            + "203.0.113.128/26 by lab three; 203.0.113.192/26 by lab four, a leftover; remove one, or pass --mgmt-subnet",
            problem);
    }

    [Fact]
    public void A_requested_subnet_must_be_free_too()
    {
        Assert.Equal(IPNetwork.Parse("203.0.113.224/27"), ManagementSubnets.Choose(IPNetwork.Parse("203.0.113.224/27"), [Lab("203.0.113.0/26", "a")], out _));
        Assert.Null(ManagementSubnets.Choose(IPNetwork.Parse("203.0.113.32/27"), [Lab("203.0.113.0/26", "a")], out var problem));
        Assert.Equal("--mgmt-subnet 203.0.113.32/27 overlaps 203.0.113.0/26 by lab a", problem);
    }
}
