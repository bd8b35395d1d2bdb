using System.Net;
using IronLb.Networking.Interfaces;
using IronLb.Networking.Packets;

namespace IronLb.Networking.Tests.Interfaces;

public sealed class SysfsParserTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "Fixtures", "sysfs");

    [Theory]
    [InlineData("0x1003\n", 0x1003u)]
    [InlineData("0x9", 0x9u)]
    [InlineData("0x82", 0x82u)]
    [InlineData("1003", 0x1003u)]
    public void Flags(string text, uint expected) => Assert.Equal((InterfaceFlags)expected, SysfsParser.ParseFlags(text));

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("0xzz")]
    public void Bad_flags_are_null(string? text) => Assert.Null(SysfsParser.ParseFlags(text));

    [Fact]
    public void If_inet6_yields_link_locals_only()
    {
        var ll = SysfsParser.ParseLinkLocals(File.ReadAllText(Path.Combine(Root, "if_inet6")));
        Assert.Equal(IPAddress.Parse("fe80::fc:ff:fe00:1"), ll["eth0"]);
        Assert.Equal(IPAddress.Parse("fe80::3eec:efff:ef00:2"), ll["eno2"]);
        Assert.Equal(IPAddress.Parse("fe80::3eec:efff:ef00:8"), ll["bond0"]);
        Assert.False(ll.ContainsKey("lo"));
        Assert.Equal(3, ll.Count);
    }

    [Fact]
    public void Scan_reads_the_fixture_tree()
    {
        var found = new SysfsInterfaceSource(Path.Combine(Root, "class", "net"), Path.Combine(Root, "if_inet6")).Scan().ToDictionary(i => i.Name);
        Assert.DoesNotContain("gone", found.Keys); // files missing: vanished mid-scan
        var eno2 = found["eno2"];
        Assert.Equal((5, MacAddress.Parse("3c:ec:ef:00:00:02"), 1, false), (eno2.Index, eno2.Mac, eno2.LinkType, eno2.HasMaster));
        Assert.NotNull(eno2.LinkLocal);
        Assert.True(found["eno4"].HasMaster);
        Assert.Null(found["eno3"].LinkLocal);
        Assert.Equal(772, found["lo"].LinkType);
    }

    [Fact]
    public void MetalLB_selection_rules_on_the_fixture_tree()
    {
        var filter = new InterfaceFilter();
        var result = new SysfsInterfaceSource(Path.Combine(Root, "class", "net"), Path.Combine(Root, "if_inet6")).Scan()
            .ToDictionary(i => i.Name, filter.Evaluate);
        Assert.Equal(new InterfaceEligibility(true, true, null), result["eth0"]);
        Assert.Equal(new InterfaceEligibility(true, true, null), result["eno2"]);
        Assert.Equal(new InterfaceEligibility(true, false, null), result["eno3"]);   // no link-local: ARP only
        Assert.Equal(new InterfaceEligibility(true, true, null), result["bond0"]);  // the bond is used...
        Assert.Equal("enslaved to a bond or bridge", result["eno4"].SkipReason); // ...not its members
        Assert.Equal("excluded by name", result["docker0"].SkipReason);
        Assert.Equal("excluded by name", result["lo"].SkipReason);
        Assert.Equal("not up", result["eno5"].SkipReason);
        Assert.Equal("not up", result["ifb0"].SkipReason);
        Assert.Equal("NOARP", result["wg0"].SkipReason);
    }

    [Theory]
    [InlineData("docker0", true)]
    [InlineData("veth1234", true)]
    [InlineData("lo", true)]
    [InlineData("lo0", false)]
    [InlineData("cali123", true)]
    [InlineData("kube-ipvs0", true)]
    [InlineData("nodelocaldns", true)]
    [InlineData("eno2", false)]
    [InlineData("bond0", false)]
    public void Default_exclusions(string name, bool excluded)
    {
        var info = new InterfaceInfo(name, 2, MacAddress.Parse("02:00:00:00:00:01"), InterfaceFlags.Up | InterfaceFlags.Broadcast, 1, false, null);
        Assert.Equal(excluded, new InterfaceFilter().Evaluate(info).SkipReason == "excluded by name");
    }

    [Fact]
    public void Configurable_exclusions_replace_the_defaults()
    {
        var filter = new InterfaceFilter(["^eno3$"]);
        var info = new InterfaceInfo("eno3", 2, MacAddress.Parse("02:00:00:00:00:01"), InterfaceFlags.Up | InterfaceFlags.Broadcast, 1, false, null);
        Assert.Equal("excluded by name", filter.Evaluate(info).SkipReason);
        Assert.Null(filter.Evaluate(info with { Name = "veth0" }).SkipReason);
    }
}
