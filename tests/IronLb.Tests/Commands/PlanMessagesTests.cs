using System.Text.Json;

namespace IronLb.Tests.Commands;

/// <summary>
/// What plan says about a finding: the section it is in (an error rejects the configuration, a warning does
/// not), the line of the offending field rather than the object's first line, and the exit code.
/// </summary>
public sealed class PlanMessagesTests
{
    private const string Pools = """
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata:
          name: external
        spec:
          addresses:
            - 198.51.100.0/28
            - 198.51.100.32/27
        ---
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata:
          name: office
        spec:
          addresses:
            - 192.0.2.0/24
        ---
        apiVersion: v1
        kind: Node
        metadata:
          name: n1
        """;

    public sealed record Row(string Desc, string Text, string Section, string Line, string Message, int Exit)
    {
        public override string ToString() => Desc;
    }

    public static TheoryData<Row> Rows =>
    [
        new Row("advertisement naming a missing pool: a warning at the entry, and the configuration loads", """
            apiVersion: metallb.io/v1beta1
            kind: L2Advertisement
            metadata:
              name: l2
            spec:
              ipAddressPools:
                - external
                - ofice
            """, "WARNINGS", "case.yaml:8", "L2Advertisement metallb-system/l2: ipAddressPools names pool \"ofice\", which does not exist; the pools are external and office", 0),
        new Row("invalid address: the addresses item", """
            apiVersion: metallb.io/v1beta1
            kind: IPAddressPool
            metadata:
              name: lab
            spec:
              addresses:
                - 203.0.113.0/26
                - 203.0.113.300/32
            """, "ERRORS", "case.yaml:8", "IPAddressPool metallb-system/lab: invalid CIDR \"203.0.113.300/32\"", 1),
        new Row("overlap: the addresses item that overlaps", """
            apiVersion: metallb.io/v1beta1
            kind: IPAddressPool
            metadata:
              name: lab
            spec:
              addresses:
                - 203.0.113.0/26
                - 192.0.2.128/25
            """, "ERRORS", "case.yaml:8", "overlaps with already defined CIDR \"192.0.2.0/24\"", 1),
        new Row("pool in another namespace: the namespace field", """
            apiVersion: metallb.io/v1beta1
            kind: IPAddressPool
            metadata:
              name: lab
              namespace: default
            spec:
              addresses: [203.0.113.0/26]
            """, "ERRORS", "case.yaml:5", "resource must be created in metallb-system namespace", 1),
        new Row("address in no pool: the annotation value", """
            apiVersion: v1
            kind: Service
            metadata:
              name: web
              annotations:
                metallb.io/loadBalancerIPs: 192.168.77.5
            spec:
              type: LoadBalancer
              ports: [{port: 80}]
            """, "WARNINGS", "case.yaml:6", "[\"192.168.77.5\"] is not allowed in config; 192.168.77.5 is in none of the pools: external (198.51.100.0/28, 198.51.100.32/27) and office (192.0.2.0/24)", 1),
        new Row("unknown pool annotation on a Gateway: its infrastructure annotation", """
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata:
              name: gw
              annotations:
                metallb.io/address-pool: external
            spec:
              gatewayClassName: istio
              infrastructure:
                annotations:
                  metallb.io/address-pool: nope
              listeners: [{name: http, port: 80, protocol: HTTP}]
            """, "WARNINGS", "case.yaml:11", "unknown pool \"nope\"", 1),
        new Row("spec.loadBalancerIP outside every pool: that field", """
            apiVersion: v1
            kind: Service
            metadata:
              name: web
            spec:
              type: LoadBalancer
              loadBalancerIP: 192.168.77.5
              ports: [{port: 80}]
            """, "WARNINGS", "case.yaml:7", "is not allowed in config", 1),
    ];

    [Theory]
    [MemberData(nameof(Rows))]
    public void Findings_point_at_the_field_in_the_right_section(Row row)
    {
        using var dir = new TempManifests();
        dir.Write("00-pools.yaml", Pools);
        var file = dir.Write("case.yaml", row.Text);

        var result = CliRunner.Run("plan", "--cluster-families", "ipv4", dir.Root);

        Assert.True(row.Exit == result.ExitCode, $"exit {result.ExitCode}, expected {row.Exit}\n{result.All}");
        var lines = result.Output.Split('\n');
        var section = Array.IndexOf(lines, row.Section);
        Assert.True(section >= 0, $"no {row.Section} section in:\n{result.Output}");
        var expected = $"{Path.Combine(dir.Root, row.Line)}: ";
        var found = lines.Skip(section + 1).TakeWhile(l => l.StartsWith("  ", StringComparison.Ordinal))
            .FirstOrDefault(l => l.Contains(row.Message, StringComparison.Ordinal));
        Assert.True(found is not null, $"no \"{row.Message}\" under {row.Section} in:\n{result.Output}");
        Assert.StartsWith($"  {expected}", found, StringComparison.Ordinal);
        Assert.Equal(Path.Combine(dir.Root, "case.yaml"), file);
    }

    [Fact]
    public void A_missing_pool_is_a_json_warning_not_an_error()
    {
        using var dir = new TempManifests();
        dir.Write("00-pools.yaml", Pools);
        dir.Write("case.yaml", "apiVersion: metallb.io/v1beta1\nkind: L2Advertisement\nmetadata: {name: l2}\nspec: {ipAddressPools: [nope]}\n");

        var result = CliRunner.Run("plan", "-o", "json", dir.Root);

        Assert.Equal(0, result.ExitCode);
        using var doc = JsonDocument.Parse(result.Output);
        Assert.Empty(doc.RootElement.GetProperty("errors").EnumerateArray());
        var warning = Assert.Single(doc.RootElement.GetProperty("warnings").EnumerateArray());
        Assert.Equal($"{Path.Combine(dir.Root, "case.yaml")}:4", warning.GetProperty("file").GetString());
        Assert.Equal("L2Advertisement metallb-system/l2", warning.GetProperty("object").GetString());
        Assert.StartsWith("ipAddressPools names pool \"nope\", which does not exist", warning.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, "0 LoadBalancer services, 2 pools, 1 node from 3 objects in 1 file; 0 errors, 0 services with warnings")]
    [InlineData(true, "1 LoadBalancer service, 2 pools, 1 node from 7 objects in 1 file; 1 error, 1 configuration warning, 1 service with warnings\nignored 1 object of another kind: ConfigMap 1")]
    public void The_summary_counts_in_the_right_number(bool one, string expected)
    {
        using var dir = new TempManifests();
        var extra = one
            ? "\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web, annotations: {metallb.io/loadBalancerIPs: 192.168.77.5}}\nspec: {type: LoadBalancer, ports: [{port: 80}]}\n"
              + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
              + "---\napiVersion: metallb.io/v1beta1\nkind: L2Advertisement\nmetadata: {name: l2}\nspec: {ipAddressPools: [nope]}\n"
              + "---\napiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: bad}\nspec: {addresses: [nonsense]}\n"
            : "";
        dir.Write("all.yaml", Pools + extra);

        var result = CliRunner.Run("plan", "--cluster-families", "ipv4", dir.Root);

        Assert.EndsWith(expected + "\n", result.Output, StringComparison.Ordinal);
    }
}
