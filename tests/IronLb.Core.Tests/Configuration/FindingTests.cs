using IronLb.Core.Configuration;
using static IronLb.Core.Tests.Configuration.Resources;

namespace IronLb.Core.Tests.Configuration;

/// <summary>
/// The one decision plan, the controller and the speaker share: an error rejects the whole configuration,
/// a warning (what MetalLB v0.16.1 accepts silently) lets it load. Each finding names the field it is
/// about, so a reader that knows positions can point at its line.
/// </summary>
public sealed class FindingTests
{
    public sealed record Row(string Desc, ClusterResources Input, bool Loads, string? Error, string? Warning, string? Field)
    {
        public override string ToString() => Desc;
    }

    public static TheoryData<Row> Rows =>
    [
        // MetalLB: "names of pools that do not exist are silently ignored"; the configuration loads.
        new Row("advertisement names a missing pool", Cluster(Pool("p1", "192.0.2.0/24")).With(L2("ad") with { IpAddressPools = ["p1", "nope"] }),
            Loads: true, null, "ipAddressPools names pool \"nope\", which does not exist; the only pool is p1", "spec.ipAddressPools[1]"),
        new Row("advertisement names only missing pools", Cluster(Pool("a", "192.0.2.0/25"), Pool("b", "192.0.2.128/25")).With(L2("ad") with { IpAddressPools = ["c"] }),
            Loads: true, null, "which does not exist; the pools are a and b", "spec.ipAddressPools[0]"),
        new Row("advertisement names an invalid pool", Cluster(Pool("good", "192.0.2.0/24"), Pool("bad", "nonsense")).With(L2("ad") with { IpAddressPools = ["bad"] }),
            Loads: false, "invalid CIDR \"nonsense\"", "ipAddressPools names pool \"bad\", which is invalid", "spec.ipAddressPools[0]"),
        new Row("advertisement names a pool twice", Cluster(Pool("p1", "192.0.2.0/24")).With(L2("ad") with { IpAddressPools = ["p1", "p1"] }),
            Loads: false, "duplicate definition of ipAddressPools: \"p1\"", null, "spec.ipAddressPools[1]"),
        new Row("blank interface name", Cluster(Pool("p1", "192.0.2.0/24")).With(L2("ad") with { Interfaces = ["eno2", " "] }),
            Loads: false, "invalid interface name", null, "spec.interfaces[1]"),
        new Row("invalid CIDR", Cluster(Pool("p1", "192.0.2.0/24", "192.0.2.300/32")),
            Loads: false, "invalid CIDR \"192.0.2.300/32\"", null, "spec.addresses[1]"),
        new Row("overlap inside a pool", Cluster(Pool("p1", "192.0.2.0/24", "198.51.100.0/24", "192.0.2.8/29")),
            Loads: false, "overlaps with already defined CIDR \"192.0.2.0/24\"", null, "spec.addresses[2]"),
        new Row("no addresses", Cluster(Pool("p1")),
            Loads: false, "pool has no prefixes defined", null, "spec.addresses"),
        new Row("pool in another namespace", Cluster(Pool("p1", "192.0.2.0/24") with { Ref = new ObjectRef("IPAddressPool", "default", "p1") }),
            Loads: false, "resource must be created in metallb-system namespace", null, "metadata.namespace"),
        new Row("duplicate namespace in serviceAllocation", Cluster(Pool("p1", "192.0.2.0/24") with { ServiceAllocation = Alloc(namespaces: ["a", "a"]) }),
            Loads: false, "duplicate definition in namespaces field", null, "spec.serviceAllocation.namespaces[1]"),
        new Row("bad selector operator", Cluster(Pool("p1", "192.0.2.0/24")).With(L2("ad") with { NodeSelectors = [Match("a=b"), Expr("k", "Maybe", "v")] }),
            Loads: false, "invalid selector in nodeSelectors", null, "spec.nodeSelectors[1]"),
    ];

    [Theory]
    [MemberData(nameof(Rows))]
    public void Errors_reject_the_configuration_and_warnings_do_not(Row row)
    {
        var result = ConfigParser.Parse(row.Input);

        Assert.Equal(row.Loads, result.Config is not null);
        Assert.Equal(row.Loads, result.IsValid);
        if (row.Error is null)
        {
            Assert.Empty(result.Errors);
        }
        else
        {
            Assert.Contains(result.Errors, e => e.Message.Contains(row.Error, StringComparison.Ordinal));
        }

        if (row.Warning is null)
        {
            Assert.Empty(result.Warnings);
        }
        else
        {
            var warning = Assert.Single(result.Warnings);
            Assert.Contains(row.Warning, warning.Message, StringComparison.Ordinal);
        }

        var finding = row.Warning is null
            ? result.Errors.First(e => e.Message.Contains(row.Error!, StringComparison.Ordinal))
            : result.Warnings[0];
        Assert.Equal(row.Field, finding.Field);
    }

    [Fact]
    public void A_missing_pool_name_still_gives_the_controller_and_the_speaker_a_configuration()
    {
        // The controller allocates from Config and the speaker elects from it: both get the named pool that exists.
        var result = ConfigParser.Parse(Cluster(Pool("p1", "192.0.2.0/24"), Pool("p2", "198.51.100.0/24"))
            .With(L2("ad") with { IpAddressPools = ["p1", "typo"], Interfaces = ["eno2"] }));

        var config = Assert.IsType<LoadBalancerConfig>(result.Config);
        Assert.Equal(["p1", "p2"], config.Pools.Select(p => p.Name));
        Assert.Equal(["ad"], config.ByName["p1"].L2Advertisements.Select(a => a.Name));
        Assert.Empty(config.ByName["p2"].L2Advertisements);
        Assert.Contains("\"typo\"", Assert.Single(result.Warnings).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_entries_written_as_CIDRs_are_subnets()
    {
        var config = ConfigParser.Parse(Cluster(Pool("p1", "192.0.2.0/24", "198.51.100.10-198.51.100.20"))).Config!;

        Assert.Equal(["192.0.2.0/24"], config.ByName["p1"].WrittenCidrs.Select(c => c.ToString()));
    }
}
