using IronLb.Core.Configuration;
using static IronLb.Core.Tests.Configuration.Resources;

namespace IronLb.Core.Tests.Configuration;

/// <summary>Every parse-time rule of spec §1.7: each broken input gives errors naming the object, and no Config.</summary>
public sealed class ValidationTests
{
    // Errors: each expected error as (object name, substring of the message). Every actual error must match one, and each one must be matched.
    public sealed record ValidationCase(string Desc, ClusterResources Resources, (string Object, string Contains)[] Errors)
    {
        public override string ToString() => Desc;
    }

    public static TheoryData<ValidationCase> Cases =>
    [
        // Valid inputs.
        new ValidationCase("one IPv4 pool", Cluster(Pool("a", "1.2.3.0/24")), []),
        new ValidationCase("dual-stack pool with a range", Cluster(Pool("a", "1.2.3.10-1.2.3.20", "fc00::/120")), []),
        new ValidationCase("e2e: 1.1.1.1-1.1.1.100 and 1.1.1.101-1.1.1.200 do not overlap",
            Cluster(Pool("a", "1.1.1.1-1.1.1.100"), Pool("b", "1.1.1.101-1.1.1.200")), []),
        new ValidationCase("adjacent prefixes in one pool", Cluster(Pool("a", "1.2.3.0/25", "1.2.3.128/25")), []),
        new ValidationCase("no pools at all", Cluster(), []),

        // Pool rules.
        new ValidationCase("missing pool name", Cluster(Pool("", "1.2.3.0/24")), [("", "missing pool name")]),
        new ValidationCase("no prefixes", Cluster(Pool("a")), [("a", "pool has no prefixes defined")]),
        new ValidationCase("invalid CIDR", Cluster(Pool("a", "1.2.3.0/33")), [("a", "invalid CIDR \"1.2.3.0/33\" in pool \"a\"")]),
        new ValidationCase("CIDR with a leading space", Cluster(Pool("a", " 1.2.3.0/24")), [("a", "invalid CIDR \" 1.2.3.0/24\"")]),
        new ValidationCase("range with start after end", Cluster(Pool("a", "1.2.3.20-1.2.3.10")), [("a", "after the end IP")]),
        new ValidationCase("range with an invalid end", Cluster(Pool("a", "1.2.3.10-1.2.3")), [("a", "invalid end IP")]),
        new ValidationCase("range mixing families", Cluster(Pool("a", "1.2.3.10-1000::1")), [("a", "different address families")]),
        new ValidationCase("every bad entry of one pool is reported", Cluster(Pool("a", "x/1", "1.2.3.0/24", "y/2")),
            [("a", "invalid CIDR \"x/1\""), ("a", "invalid CIDR \"y/2\"")]),
        new ValidationCase("duplicate pool", Cluster(Pool("a", "1.2.3.0/24"), Pool("a", "1.2.4.0/24")), [("a", "duplicate definition of pool \"a\"")]),
        new ValidationCase("overlap inside one pool", Cluster(Pool("a", "1.2.3.0/24", "1.2.3.128/25")),
            [("a", "CIDR \"1.2.3.128/25\" in pool \"a\" overlaps with already defined CIDR \"1.2.3.0/24\"")]),
        new ValidationCase("the same CIDR twice in one pool", Cluster(Pool("a", "1.2.3.0/24", "1.2.3.0/24")),
            [("a", "overlaps with already defined CIDR")]),
        new ValidationCase("overlap between pools", Cluster(Pool("a", "1.2.3.0/24"), Pool("b", "1.2.3.4/32")),
            [("b", "CIDR \"1.2.3.4/32\" in pool \"b\" overlaps with already defined CIDR \"1.2.3.0/24\"")]),
        new ValidationCase("a later larger CIDR overlaps an earlier smaller one", Cluster(Pool("a", "1.2.3.4/32"), Pool("b", "1.2.3.0/24")),
            [("b", "overlaps with already defined CIDR \"1.2.3.4/32\"")]),
        new ValidationCase("e2e: 1.1.1.1-1.1.1.100 vs 1.1.1.15-1.1.1.20 is rejected",
            Cluster(Pool("a", "1.1.1.1-1.1.1.100"), Pool("b", "1.1.1.15-1.1.1.20")), [("b", "overlaps with already defined CIDR")]),
        new ValidationCase("e2e: 1.1.1.1-1.1.1.100 vs 1.1.1.0/24 is rejected",
            Cluster(Pool("a", "1.1.1.1-1.1.1.100"), Pool("b", "1.1.1.0/24")), [("b", "overlaps with already defined CIDR")]),
        new ValidationCase("IPv6 overlap", Cluster(Pool("a", "1000::/64"), Pool("b", "1000::4:0/120")), [("b", "overlaps with already defined CIDR \"1000::/64\"")]),
        new ValidationCase("IPv4 and IPv6 never overlap", Cluster(Pool("a", "0.0.0.0/0"), Pool("b", "::/0")), []),
        new ValidationCase("pool outside the MetalLB namespace",
            Cluster(Pool("a", "1.2.3.0/24") with { Ref = new ObjectRef("IPAddressPool", "default", "a") }),
            [("a", "must be created in metallb-system namespace")]),

        // serviceAllocation rules.
        new ValidationCase("duplicate namespaces", Cluster(Pool("a", "1.2.3.0/24") with { ServiceAllocation = Alloc(namespaces: ["x", "y", "x"]) }),
            [("a", "duplicate definition in namespaces field")]),
        new ValidationCase("duplicate namespaceSelectors", Cluster(Pool("a", "1.2.3.0/24") with { ServiceAllocation = Alloc(namespaceSelectors: [Match("k=v"), Match("k=v")]) }),
            [("a", "duplicate definition of namespaceSelectors")]),
        new ValidationCase("duplicate serviceSelectors", Cluster(Pool("a", "1.2.3.0/24") with { ServiceAllocation = Alloc(serviceSelectors: [Match("k=v", "a=b"), Match("a=b", "k=v")]) }),
            [("a", "duplicate definition of serviceSelectors")]),
        new ValidationCase("selectors equal after sorting expression values are duplicates",
            Cluster(Pool("a", "1.2.3.0/24") with { ServiceAllocation = Alloc(serviceSelectors: [Expr("k", "In", "a", "b"), Expr("k", "In", "b", "a")]) }),
            [("a", "duplicate definition of serviceSelectors")]),
        new ValidationCase("different selectors are fine",
            Cluster(Pool("a", "1.2.3.0/24") with { ServiceAllocation = Alloc(serviceSelectors: [Expr("k", "In", "a"), Expr("k", "NotIn", "a"), Match("k=a")]) }), []),
        new ValidationCase("duplicate match expression within a selector",
            Cluster(Pool("a", "1.2.3.0/24") with { ServiceAllocation = Alloc(serviceSelectors: [Exprs(new("k", "In", ["a", "b"]), new("k", "In", ["b", "a"]))]) }),
            [("a", "duplicate match expression")]),
        new ValidationCase("duplicate value within an expression",
            Cluster(Pool("a", "1.2.3.0/24") with { ServiceAllocation = Alloc(namespaceSelectors: [Expr("k", "In", "a", "a")]) }),
            [("a", "duplicate value \"a\"")]),
        new ValidationCase("bad operator", Cluster(Pool("a", "1.2.3.0/24") with { ServiceAllocation = Alloc(serviceSelectors: [Expr("k", "Equals", "a")]) }),
            [("a", "not a valid label selector operator")]),
        new ValidationCase("missing key", Cluster(Pool("a", "1.2.3.0/24") with { ServiceAllocation = Alloc(serviceSelectors: [Expr("", "Exists")]) }),
            [("a", "invalid label key")]),
        new ValidationCase("In without values", Cluster(Pool("a", "1.2.3.0/24") with { ServiceAllocation = Alloc(serviceSelectors: [Expr("k", "In")]) }),
            [("a", "values must be non-empty")]),
        new ValidationCase("Exists with values", Cluster(Pool("a", "1.2.3.0/24") with { ServiceAllocation = Alloc(serviceSelectors: [Expr("k", "Exists", "a")]) }),
            [("a", "values must be empty")]),
        new ValidationCase("invalid label value", Cluster(Pool("a", "1.2.3.0/24") with { ServiceAllocation = Alloc(serviceSelectors: [Match("k=-bad-")]) }),
            [("a", "invalid label value")]),
        new ValidationCase("invalid label key", Cluster(Pool("a", "1.2.3.0/24") with { ServiceAllocation = Alloc(namespaceSelectors: [Match("bad key=v")]) }),
            [("a", "invalid label key")]),
        new ValidationCase("prefixed label key is valid", Cluster(Pool("a", "1.2.3.0/24") with { ServiceAllocation = Alloc(serviceSelectors: [Match("example.com/team=a")]) }), []),

        // L2Advertisement rules.
        new ValidationCase("valid advertisement", Cluster(Pool("a", "1.2.3.0/24")).With(L2("l2") with { IpAddressPools = ["a"], Interfaces = ["eth0"] }), []),
        new ValidationCase("duplicate ipAddressPools", Cluster(Pool("a", "1.2.3.0/24")).With(L2("l2") with { IpAddressPools = ["a", "a"] }),
            [("l2", "duplicate definition of ipAddressPools")]),
        new ValidationCase("duplicate ipAddressPoolSelectors", Cluster(Pool("a", "1.2.3.0/24")).With(L2("l2") with { IpAddressPoolSelectors = [Match("k=v"), Match("k=v")] }),
            [("l2", "duplicate definition of ipAddressPoolSelectors")]),
        new ValidationCase("duplicate nodeSelectors", Cluster(Pool("a", "1.2.3.0/24")).With(L2("l2") with { NodeSelectors = [Expr("k", "In", "x", "y"), Expr("k", "In", "y", "x")] }),
            [("l2", "duplicate definition of nodeSelectors")]),
        new ValidationCase("duplicate serviceSelectors", Cluster(Pool("a", "1.2.3.0/24")).With(L2("l2") with { ServiceSelectors = [Match("k=v"), Match("k=v")] }),
            [("l2", "duplicate definition of serviceSelectors")]),
        new ValidationCase("within-selector duplicate in nodeSelectors", Cluster(Pool("a", "1.2.3.0/24")).With(L2("l2") with { NodeSelectors = [Expr("k", "In", "x", "x")] }),
            [("l2", "duplicate value")]),
        new ValidationCase("invalid node selector", Cluster(Pool("a", "1.2.3.0/24")).With(L2("l2") with { NodeSelectors = [Expr("k", "Gt", "1")] }),
            [("l2", "not a valid label selector operator")]),
        new ValidationCase("duplicate L2Advertisement", Cluster(Pool("a", "1.2.3.0/24")).With(L2("l2"), L2("l2")),
            [("l2", "duplicate definition of L2Advertisement")]),
        new ValidationCase("L2Advertisement outside the MetalLB namespace",
            Cluster(Pool("a", "1.2.3.0/24")).With(L2("l2") with { Ref = new ObjectRef("L2Advertisement", "default", "l2") }),
            [("l2", "must be created in metallb-system namespace")]),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rule(ValidationCase c)
    {
        var result = ConfigParser.Parse(c.Resources);
        var actual = string.Join("; ", result.Errors);
        foreach (var (obj, contains) in c.Errors)
        {
            Assert.True(
                result.Errors.Any(e => e.Target.Name == obj && e.Message.Contains(contains, StringComparison.Ordinal)),
                $"{c.Desc}: expected an error on \"{obj}\" containing \"{contains}\", got: {actual}");
        }

        foreach (var error in result.Errors)
        {
            Assert.True(
                c.Errors.Any(e => e.Object == error.Target.Name && error.Message.Contains(e.Contains, StringComparison.Ordinal)),
                $"{c.Desc}: unexpected error {error}");
        }

        Assert.Equal(c.Errors.Length == 0, result.IsValid);
        if (c.Errors.Length == 0)
        {
            Assert.NotNull(result.Config);
            Assert.Same(result.Partial, result.Config);
        }
        else
        {
            Assert.Null(result.Config);
        }
    }

    [Fact]
    public void Errors_are_collected_across_objects_and_Partial_keeps_the_valid_ones()
    {
        var resources = Cluster(
                Pool("", "10.0.0.0/24"),
                Pool("empty"),
                Pool("bad", "nope/24"),
                Pool("good", "1.2.3.0/24"),
                Pool("overlapping", "1.2.3.4/32"),
                Pool("bad-selector", "1.2.4.0/24") with { ServiceAllocation = Alloc(serviceSelectors: [Expr("k", "Maybe")]) })
            .With(
                L2("dup-names") with { IpAddressPools = ["good", "good"] },
                L2("fine") with { IpAddressPools = ["good"] });

        var result = ConfigParser.Parse(resources);

        Assert.Null(result.Config);
        Assert.False(result.IsValid);
        Assert.Equal(
            ["", "bad", "bad-selector", "dup-names", "empty", "overlapping"],
            result.Errors.Select(e => e.Target.Name).Distinct().Order(StringComparer.Ordinal));
        Assert.All(result.Errors, e => Assert.Contains(e.Target.ToString(), e.ToString(), StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Target.Name == "overlapping" && e.Message.Contains("overlaps with already defined CIDR", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Target.Kind == "L2Advertisement" && e.Target.Name == "dup-names");

        var pool = Assert.Single(result.Partial.Pools);
        Assert.Equal("good", pool.Name);
        Assert.Equal("fine", Assert.Single(pool.L2Advertisements).Name);
    }

    [Fact]
    public void Errors_name_the_object_with_kind_and_namespace()
    {
        var result = ConfigParser.Parse(Cluster(Pool("a")));
        var error = Assert.Single(result.Errors);
        Assert.Equal(new ObjectRef("IPAddressPool", "metallb-system", "a"), error.Target);
        Assert.Equal("IPAddressPool metallb-system/a: pool has no prefixes defined", error.ToString());
    }

    [Fact]
    public void A_null_config_namespace_accepts_any_namespace()
    {
        var resources = Cluster(Pool("a", "1.2.3.0/24") with { Ref = new ObjectRef("IPAddressPool", "elsewhere", "a") }) with { ConfigNamespace = null };
        var result = ConfigParser.Parse(resources);
        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.Equal("a", Assert.Single(result.Config!.Pools).Name);
    }

    [Fact]
    public void Pools_are_compiled_with_their_fields()
    {
        var result = ConfigParser.Parse(Cluster(
            Pool("b", "1.2.3.10-1.2.3.11", "1000::/127") with { AutoAssign = false, AvoidBuggyIps = true, Labels = Labels("zone=a") },
            Pool("a", "10.0.0.5/24")));
        Assert.True(result.IsValid);
        var config = result.Config!;

        // Pools are kept by name (our deterministic order); CIDRs stay in spec order.
        Assert.Equal(["a", "b"], config.Pools.Select(p => p.Name));
        var b = config.ByName["b"];
        Assert.Equal(["1.2.3.10/31", "1000::/127"], b.Cidrs.Select(c => c.ToString()));
        Assert.False(b.AutoAssign);
        Assert.True(b.AvoidBuggyIps);
        Assert.Null(b.Allocation);
        Assert.Equal("a", b.Labels["zone"]);
        var a = config.ByName["a"];
        Assert.True(a.AutoAssign); // absent autoAssign defaults to true, like the CRD
        Assert.Equal("10.0.0.0/24", Assert.Single(a.Cidrs).ToString());
    }

    [Fact]
    public void Input_resources_are_not_mutated()
    {
        var resources = Cluster(Pool("a", "1.2.3.0/24"), Pool("a", "1.2.4.0/24")).With(L2("l2"));
        var copy = resources with { };
        _ = ConfigParser.Parse(resources);
        Assert.Equal(copy, resources);
        Assert.Equal(2, resources.Pools.Length);
    }
}
