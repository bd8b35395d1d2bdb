using System.Net;
using IronLb.Lab.Topology;

namespace IronLb.Lab.Tests.Topology;

public sealed class ManagementSubnetsTests
{
    private static readonly IPNetwork HostEth0 = IPNetwork.Parse("192.0.2.0/24");

    [Fact]
    public void Takes_the_first_quarter_when_nothing_is_on_203_0_113() =>
        Assert.Equal(IPNetwork.Parse("203.0.113.0/26"), ManagementSubnets.Choose(null, [HostEth0], out _));

    [Fact]
    public void Skips_slices_used_by_a_host_interface_or_claimed_by_another_lab()
    {
        // Another lab's host link (its /26), and a lab still building that has only its state file (a /27).
        IPNetwork[] used = [HostEth0, IPNetwork.Parse("203.0.113.0/26"), IPNetwork.Parse("203.0.113.64/27")];
        Assert.Equal(IPNetwork.Parse("203.0.113.128/26"), ManagementSubnets.Choose(null, used, out var problem));
        Assert.Null(problem);
    }

    [Fact]
    public void A_host_address_anywhere_in_the_24_leaves_nothing_free()
    {
        Assert.Null(ManagementSubnets.Choose(null, [IPNetwork.Parse("203.0.113.0/24")], out var problem));
        Assert.Contains("--mgmt-subnet", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_requested_subnet_must_be_free_too()
    {
        Assert.Equal(IPNetwork.Parse("203.0.113.224/27"), ManagementSubnets.Choose(IPNetwork.Parse("203.0.113.224/27"), [IPNetwork.Parse("203.0.113.0/26")], out _));
        Assert.Null(ManagementSubnets.Choose(IPNetwork.Parse("203.0.113.32/27"), [IPNetwork.Parse("203.0.113.0/26")], out var problem));
        Assert.Contains("203.0.113.0/26", problem, StringComparison.Ordinal);
    }
}
