using System.Text.Json;
using System.Text.RegularExpressions;

namespace IronLb.Tests.Commands;

/// <summary>
/// `ironlb plan examples/campus` end to end: the campus documentation's hand-kept table, computed. Every
/// Service sits on its documented address, the external pool counts 36/14/22, and each address has one
/// announcing node on the advertisement's interface.
/// </summary>
public sealed class CampusPlanTests
{
    /// <summary>The "Current IP Assignments" table of the campus documentation, as the Services plan sees.</summary>
    public static TheoryData<string, string, string> Documented { get; } = new()
    {
        { "lists/studi-istio", "141.89.58.175", "eno2" },
        { "guacamole/remote-pc-istio", "141.89.58.184", "eno2" },
        { "mail/smtpout", "141.89.58.186", "eno2" },
        { "lists/lists-istio", "141.89.58.187", "eno2" },
        { "mail/smtpin", "141.89.58.192", "eno2" },
        { "webspace/preview-istio", "141.89.58.193", "eno2" },
        { "zammad/support-istio", "141.89.58.194", "eno2" },
        { "mail/user-ingress", "141.89.58.195", "eno2" },
        { "keycloak/idp-istio", "141.89.58.203", "eno2" },
        { "registry/registry-istio", "141.89.58.208", "eno2" },
        { "webspace/brandstuve-istio", "141.89.58.209", "eno2" },
        { "webspace/speakup-istio", "141.89.58.211", "eno2" },
        { "webspace/stupa-istio", "141.89.58.214", "eno2" },
        { "webspace/vefa-istio", "141.89.58.215", "eno2" },
        { "dns/dns", "10.1.0.254", "eno3" },
    };

    private static readonly Lazy<CliRunner.CliResult> Table = new(() => CliRunner.Run("plan", RepoPaths.Campus));
    private static readonly Lazy<CliRunner.CliResult> Json = new(() => CliRunner.Run("plan", "--output", "json", RepoPaths.Campus));

    [Fact]
    public void Table_shows_the_external_pool_at_36_total_14_assigned_22_available()
    {
        var result = Table.Value;

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(new Regex(@"^external\s+false\s+IPv4\s+36\s+14\s+22$", RegexOptions.Multiline), result.Output);
        Assert.Matches(new Regex(@"^\s+IPv6\s+18446744073709551616\s+14\s+18446744073709551602$", RegexOptions.Multiline), result.Output);
        Assert.Matches(new Regex(@"^office\s+false\s+IPv4\s+65536\s+1\s+65535$", RegexOptions.Multiline), result.Output);
        Assert.Contains("ERRORS\n  (none)", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("WARNINGS", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Documented))]
    public void Table_puts_every_service_on_its_documented_address_with_node_and_interface(string service, string ipv4, string iface)
    {
        var row = Table.Value.Output.Split('\n').Single(l => l.StartsWith(service + " ", StringComparison.Ordinal));

        // Only smtpout asks for egress (Metaleg's label): it leaves through its announcer.
        var egress = service == "mail/smtpout" ? @"via cwn[1-4]" : "-";
        Assert.Matches(new Regex($@"^{Regex.Escape(service)}\s+{Regex.Escape(ipv4)},2001:638:807:[0-9a-f:]+\s+(external|office)\s+(?<node>cwn[1-4])\s+{iface}\s+{egress}$"), row);
        if (service == "mail/smtpout")
        {
            var node = Regex.Match(row, @"\s(cwn[1-4])\s").Groups[1].Value;
            Assert.EndsWith($"via {node}", row, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Json_has_the_documented_shape_and_exact_counts()
    {
        var result = Json.Value;
        Assert.Equal(0, result.ExitCode);
        using var doc = JsonDocument.Parse(result.Output);
        var root = doc.RootElement;

        Assert.Equal(["pools", "services", "errors", "warnings"], root.EnumerateObject().Select(p => p.Name));
        var external = root.GetProperty("pools").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "external");
        Assert.Equal(["name", "autoAssign", "ipv4", "ipv6"], external.EnumerateObject().Select(p => p.Name));
        Assert.False(external.GetProperty("autoAssign").GetBoolean());
        Assert.Equal((36, 14, 22), (
            external.GetProperty("ipv4").GetProperty("total").GetInt32(),
            external.GetProperty("ipv4").GetProperty("assigned").GetInt32(),
            external.GetProperty("ipv4").GetProperty("available").GetInt32()));
        // 2^64 does not fit a long: it must still be a JSON integer, digit for digit.
        Assert.Equal(JsonValueKind.Number, external.GetProperty("ipv6").GetProperty("total").ValueKind);
        Assert.Equal("18446744073709551616", external.GetProperty("ipv6").GetProperty("total").GetRawText());
        Assert.Equal("18446744073709551602", external.GetProperty("ipv6").GetProperty("available").GetRawText());
        Assert.Empty(root.GetProperty("errors").EnumerateArray());
        Assert.Empty(root.GetProperty("warnings").EnumerateArray());

        var services = root.GetProperty("services").EnumerateArray().ToList();
        Assert.Equal(Documented.Count, services.Count);
        foreach (var service in services)
        {
            Assert.Equal(["namespace", "name", "ips", "pool", "announce", "egress", "events"], service.EnumerateObject().Select(p => p.Name));
            var key = $"{service.GetProperty("namespace").GetString()}/{service.GetProperty("name").GetString()}";
            var expected = Documented.Single(row => (string)row.Data.Item1 == key).Data;
            Assert.Equal(expected.Item2, service.GetProperty("ips")[0].GetString());
            Assert.StartsWith("2001:638:807:", service.GetProperty("ips")[1].GetString(), StringComparison.Ordinal);
            var announce = service.GetProperty("announce");
            Assert.Matches("^cwn[1-4]$", announce.GetProperty("node").GetString()!);
            Assert.Equal([expected.Item3], announce.GetProperty("interfaces").EnumerateArray().Select(i => i.GetString()));
            var egress = service.GetProperty("egress").EnumerateArray().Select(p => $"{p.GetProperty("family").GetString()} {p.GetProperty("address").GetString()} {p.GetProperty("node").GetString()}");
            Assert.Equal(
                key == "mail/smtpout" ? [$"IPv4 141.89.58.186 {announce.GetProperty("node").GetString()}", $"IPv6 2001:638:807:3a:c3a9:7be2:51d4:f86 {announce.GetProperty("node").GetString()}"] : [],
                egress);
            var e = service.GetProperty("events").EnumerateArray().Single();
            Assert.Equal(("Normal", "IPAllocated"), (e.GetProperty("type").GetString(), e.GetProperty("reason").GetString()));
        }
    }

    [Fact]
    public void Table_and_json_agree_on_every_announcer()
    {
        using var doc = JsonDocument.Parse(Json.Value.Output);
        foreach (var service in doc.RootElement.GetProperty("services").EnumerateArray())
        {
            var key = $"{service.GetProperty("namespace").GetString()}/{service.GetProperty("name").GetString()}";
            var node = service.GetProperty("announce").GetProperty("node").GetString()!;
            var row = Table.Value.Output.Split('\n').Single(l => l.StartsWith(key + " ", StringComparison.Ordinal));
            Assert.Contains($" {node} ", row, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void My_service_conflicts_with_the_remote_pc_gateway()
    {
        var conflict = Path.Combine(RepoPaths.Root, "examples", "campus-conflict");

        var table = CliRunner.Run("plan", RepoPaths.Campus, conflict);
        var json = CliRunner.Run("plan", "-o", "json", RepoPaths.Campus, conflict);

        Assert.Equal(1, table.ExitCode);
        var row = table.Output.Split('\n').Single(l => l.StartsWith("my-app/my-service ", StringComparison.Ordinal));
        Assert.Contains("AllocationFailed", row, StringComparison.Ordinal);
        Assert.Contains("141.89.58.184", table.Output.Split('\n').Single(l => l.StartsWith("guacamole/remote-pc-istio ", StringComparison.Ordinal)), StringComparison.Ordinal);
        // The line of the annotation that asks for the address, not the Service's first line.
        Assert.Contains("my-service.yaml:19: Service my-app/my-service: AllocationFailed", table.Output, StringComparison.Ordinal);
        Assert.Contains("in use by guacamole/remote-pc-istio", row, StringComparison.Ordinal);

        Assert.Equal(1, json.ExitCode);
        using var doc = JsonDocument.Parse(json.Output);
        var mine = doc.RootElement.GetProperty("services").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "my-service");
        Assert.Empty(mine.GetProperty("ips").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, mine.GetProperty("pool").ValueKind);
        Assert.Equal(JsonValueKind.Null, mine.GetProperty("announce").ValueKind);
        var warning = mine.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("type").GetString() == "Warning");
        Assert.Equal("AllocationFailed", warning.GetProperty("reason").GetString());
    }

    [Fact]
    public void Nodes_option_limits_the_election()
    {
        var result = CliRunner.Run("plan", "--nodes", "cwn3", RepoPaths.Campus);

        Assert.Equal(0, result.ExitCode);
        foreach (var row in Documented)
        {
            var service = row.Data.Item1;
            Assert.Contains(" cwn3 ", result.Output.Split('\n').Single(l => l.StartsWith(service + " ", StringComparison.Ordinal)), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Another_load_balancer_class_leaves_the_campus_services_out()
    {
        var result = CliRunner.Run("plan", "--lb-class", "example.com/other", RepoPaths.Campus);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("(no LoadBalancer Services)", result.Output, StringComparison.Ordinal);
        Assert.Matches(new Regex(@"^external\s+false\s+IPv4\s+36\s+0\s+36$", RegexOptions.Multiline), result.Output);
    }
}
