using System.Collections.Immutable;
using System.Net;
using System.Text.Json;
using IronLb.Commands;
using IronLb.Networking.Conflicts;
using IronLb.Networking.Packets;

namespace IronLb.Tests.Commands;

/// <summary>
/// `plan --probe INTERFACE` with the LAN's answers given: which addresses are probed (exactly the plan's), the
/// `IN USE ON` section, the JSON `probe` array and the exit codes. The real probe is tested in the lab
/// (IronLb.Lab.Tests, Conflicts).
/// </summary>
public sealed class PlanProbeTests
{
    private const string Cluster = """
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata: {name: external, namespace: metallb-system}
        spec: {autoAssign: false, addresses: [192.0.2.184/29, "2001:db8:3a::/64"]}
        ---
        apiVersion: metallb.io/v1beta1
        kind: L2Advertisement
        metadata: {name: external, namespace: metallb-system}
        spec: {ipAddressPools: [external], interfaces: [eno2]}
        ---
        apiVersion: v1
        kind: Node
        metadata: {name: n1}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: shop, annotations: {metallb.io/loadBalancerIPs: "192.0.2.185,2001:db8:3a::80"}}
        spec: {type: LoadBalancer, ipFamilyPolicy: RequireDualStack, ports: [{port: 80}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: mail, namespace: shop, annotations: {metallb.io/loadBalancerIPs: "192.0.2.186"}}
        spec: {type: LoadBalancer, ports: [{port: 25}]}
        """;

    private static readonly MacAddress Printer = MacAddress.Parse("02:1a:b0:00:00:01");
    private static readonly MacAddress Rogue = MacAddress.Parse("02:1A:B0:00:00:02");

    [Fact]
    public void Only_the_addresses_the_plan_gives_services_are_probed_on_the_interface_given()
    {
        using var dir = Manifests();
        var asked = new List<(string Interface, string[] Addresses)>();

        var result = CliRunner.RunProbing(Answer(asked), "plan", "--probe", "eno2", dir.Root);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("eno2", Assert.Single(asked).Interface);
        Assert.Equal(["192.0.2.185", "192.0.2.186", "2001:db8:3a::80"], asked[0].Addresses.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Addresses_in_use_are_listed_with_the_macs_that_answered_and_their_service_and_exit_1()
    {
        using var dir = Manifests();

        var result = CliRunner.RunProbing(Answer([], ("192.0.2.186", [Printer]), ("2001:db8:3a::80", [Rogue, Printer])), "plan", "--probe", "eno2", dir.Root);

        Assert.Equal(1, result.ExitCode);
        var section = Section(result.Output, "IN USE ON eno2");
        Assert.Equal(3, section.Count);
        // In the plan's order of Services (shop/mail before shop/web), lower-case MACs in the order they answered.
        Assert.Matches(@"^ADDRESS\s+ANSWERED BY\s+SERVICE$", section[0]);
        Assert.Matches(@"^192\.0\.2\.186\s+02:1a:b0:00:00:01\s+shop/mail$", section[1]);
        Assert.Matches(@"^2001:db8:3a::80\s+02:1a:b0:00:00:02,02:1a:b0:00:00:01\s+shop/web$", section[2]);
        Assert.Contains("; 2 addresses of 3 in use on eno2", result.Output, StringComparison.Ordinal);
        Assert.Empty(result.Error);
    }

    [Fact]
    public void Nothing_in_use_says_none_and_leaves_the_plans_exit_code()
    {
        using var dir = Manifests();

        var result = CliRunner.RunProbing(Answer([]), "plan", "--probe", "eno2", dir.Root);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["  (none)"], Section(result.Output, "IN USE ON eno2"));
        Assert.Contains("; 0 addresses of 3 in use on eno2", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_has_a_probe_entry_per_address_and_none_without_probe()
    {
        using var dir = Manifests();

        var result = CliRunner.RunProbing(Answer([], ("192.0.2.186", [Printer])), "plan", "-o", "json", "--probe", "eno2", dir.Root);

        Assert.Equal(1, result.ExitCode);
        using var doc = JsonDocument.Parse(result.Output);
        var probe = doc.RootElement.GetProperty("probe").EnumerateArray().ToDictionary(e => e.GetProperty("address").GetString()!);
        Assert.Equal(["192.0.2.185", "192.0.2.186", "2001:db8:3a::80"], probe.Keys.Order(StringComparer.Ordinal));
        var mail = probe["192.0.2.186"];
        Assert.True(mail.GetProperty("inUse").GetBoolean());
        Assert.Equal("eno2", mail.GetProperty("interface").GetString());
        Assert.Equal(["02:1a:b0:00:00:01"], mail.GetProperty("macs").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(["shop/mail"], mail.GetProperty("services").EnumerateArray().Select(m => m.GetString()));
        Assert.False(probe["192.0.2.185"].GetProperty("inUse").GetBoolean());
        Assert.Empty(probe["192.0.2.185"].GetProperty("macs").EnumerateArray());

        using var plain = JsonDocument.Parse(CliRunner.Run("plan", "-o", "json", dir.Root).Output);
        Assert.False(plain.RootElement.TryGetProperty("probe", out _));
        Assert.DoesNotContain("IN USE ON", CliRunner.Run("plan", dir.Root).Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_probe_that_could_not_run_is_an_error_naming_the_interface_and_exit_2()
    {
        using var dir = Manifests();
        AddressProbe broken = (iface, addresses, _) =>
            Task.FromResult<IReadOnlyList<ProbeOutcome>>([.. addresses.Select(a => new ProbeOutcome(iface, a, [], $"interface {iface} is down"))]);

        var result = CliRunner.RunProbing(broken, "plan", "--probe", "eno2", dir.Root);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("ironlb: plan: --probe eno2: interface eno2 is down\n", result.Error.ReplaceLineEndings("\n"));
        Assert.Empty(result.Output);
    }

    [Fact]
    public void Without_root_or_without_the_interface_plan_probe_says_which_and_exits_2_before_planning()
    {
        using var dir = Manifests();
        using var output = new StringWriter();
        using var error = new StringWriter();

        // The real check: as root the interface is missing, as anyone else root is.
        var code = IronLb.Cli.IronLbCli.Run(["plan", "--probe", "nosuchif0", dir.Root], output, error, new Random(42), Answer([]), LanAddressProbe.Machine);

        Assert.Equal(2, code);
        var expected = Environment.IsPrivilegedProcess
            ? "ironlb: plan: --probe nosuchif0: no such interface here (see `ip link`)\n"
            : "ironlb: plan: --probe needs root (it sends ARP probes and DAD solicitations on raw sockets): run it with sudo\n";
        Assert.Equal(expected, error.ToString().ReplaceLineEndings("\n"));
        Assert.Empty(output.ToString());
    }

    [Fact]
    public void Answers_from_the_cluster_s_own_nodes_are_not_a_conflict_with_trust_mac()
    {
        using var dir = Manifests();
        var node = MacAddress.Parse("02:42:ac:11:00:0a");

        // shop/mail's address is already announced by a node; shop/web's IPv6 address is also held by the printer.
        var result = CliRunner.RunProbing(Answer([], ("192.0.2.186", [node]), ("2001:db8:3a::80", [node, Printer])),
            "plan", "--probe", "eno2", "--trust-mac", "02:42:AC:11:00:0A,02:42:ac:11:00:0b", dir.Root);

        Assert.Equal(1, result.ExitCode);
        var section = Section(result.Output, "IN USE ON eno2");
        Assert.Equal(2, section.Count);
        Assert.Matches(@"^2001:db8:3a::80\s+02:1a:b0:00:00:01\s+shop/web$", section[1]);

        var clean = CliRunner.RunProbing(Answer([], ("192.0.2.186", [node])), "plan", "--probe", "eno2", "--trust-mac", "02:42:ac:11:00:0a", dir.Root);
        Assert.Equal(0, clean.ExitCode);
    }

    [Fact]
    public void A_trust_mac_that_is_no_MAC_is_a_usage_error()
    {
        using var dir = Manifests();
        var asked = new List<(string Interface, string[] Addresses)>();

        var result = CliRunner.RunProbing(Answer(asked), "plan", "--probe", "eno2", "--trust-mac", "node1", dir.Root);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--trust-mac takes a MAC such as 02:42:ac:11:00:02, not \"node1\"", result.Error, StringComparison.Ordinal);
        Assert.Empty(asked);
    }

    [Theory]
    [InlineData("../../etc")]
    [InlineData("")]
    [InlineData("..")]
    public void The_real_check_refuses_an_interface_name_that_is_a_path(string name) =>
        Assert.NotNull(LanAddressProbe.Machine(name));

    private static TempManifests Manifests()
    {
        var dir = new TempManifests();
        dir.Write("cluster.yaml", Cluster);
        return dir;
    }

    /// <summary>A LAN where the given addresses are answered by the given MACs and every other address is silent.</summary>
    private static AddressProbe Answer(List<(string Interface, string[] Addresses)> asked, params (string Address, MacAddress[] Macs)[] holders) =>
        (iface, addresses, _) =>
        {
            asked.Add((iface, [.. addresses.Select(a => a.ToString())]));
            return Task.FromResult<IReadOnlyList<ProbeOutcome>>([.. addresses.Select(a => new ProbeOutcome(iface, a,
                holders.FirstOrDefault(h => IPAddress.Parse(h.Address).Equals(a)).Macs?.ToImmutableArray() ?? [], null))]);
        };

    /// <summary>The lines of a section, from its heading to the next blank line.</summary>
    private static List<string> Section(string output, string heading) =>
        [.. output.ReplaceLineEndings("\n").Split('\n').SkipWhile(l => l != heading).Skip(1).TakeWhile(l => l.Length > 0)];
}
