namespace IronLb.Tests.Commands;

/// <summary>
/// Malformed input never produces a stack trace: each case gets a message that names the file (and line)
/// and the object, and the documented exit code (2: unusable input, 1: configuration errors or warnings).
/// </summary>
public sealed class BadInputTests
{
    /// <summary>A valid pool, advertisement and node that every case is added to, so Services have somewhere to go.</summary>
    private const string Base = """
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata: {name: base, namespace: metallb-system}
        spec: {addresses: [192.0.2.0/24, "2001:db8::/64"]}
        ---
        apiVersion: metallb.io/v1beta1
        kind: L2Advertisement
        metadata: {name: base, namespace: metallb-system}
        ---
        apiVersion: v1
        kind: Node
        metadata: {name: n1}
        """;

    public sealed record BadInput(string Desc, string File, string Text, int Exit, string? ObjectName, string Message, string[]? Args = null)
    {
        public override string ToString() => Desc;
    }

    private static string Pool(string name, string spec, string meta = "") =>
        $"apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {{name: {name}{meta}}}\nspec: {spec}\n";

    private static string Service(string name, string annotations = "", string spec = "") =>
        $"apiVersion: v1\nkind: Service\nmetadata: {{name: {name}{(annotations.Length == 0 ? "" : $", annotations: {{{annotations}}}")}}}\nspec: {{type: LoadBalancer, ports: [{{port: 80}}]{spec}}}\n";

    public static TheoryData<BadInput> Cases { get; } =
    [
        // Unusable input: exit 2, file and line.
        new BadInput("broken YAML: unclosed flow sequence", "case.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: [web\n", 2, null, "invalid YAML"),
        new BadInput("broken YAML: bad indentation", "case.yaml", "apiVersion: v1\nkind: Service\n  metadata: x\n", 2, null, "case.yaml:3: invalid YAML"),
        new BadInput("broken YAML: duplicate key", "case.yaml", "apiVersion: v1\nkind: Service\nkind: Node\n", 2, null, "case.yaml:3: invalid YAML: key \"kind\" already defined at line 2"),
        new BadInput("broken YAML: tab indentation", "case.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n\tname: web\n", 2, null, "case.yaml:4: invalid YAML"),
        new BadInput("broken YAML: unknown alias", "case.yaml", "apiVersion: v1\nkind: Node\nmetadata: *nope\n", 2, null, "case.yaml:3: invalid YAML"),
        new BadInput("broken JSON: trailing comma", "case.json", "{\n  \"apiVersion\": \"v1\",\n}\n", 2, null, "case.json:3: invalid JSON"),

        // Wrong apiVersion or kind: the API server would refuse the object.
        new BadInput("pool with an old apiVersion", "case.yaml", Pool("old", "{addresses: [198.51.100.0/24]}").Replace("v1beta1", "v1alpha1", StringComparison.Ordinal), 1, "IPAddressPool metallb-system/old", "apiVersion \"metallb.io/v1alpha1\" is not served for IPAddressPool; expected metallb.io/v1beta1"),
        new BadInput("advertisement with a wrong apiVersion", "case.yaml", "apiVersion: metallb.io/v1beta2\nkind: L2Advertisement\nmetadata: {name: l2}\n", 1, "L2Advertisement metallb-system/l2", "is not served for L2Advertisement"),
        new BadInput("Service with apiVersion v2", "case.yaml", Service("web").Replace("apiVersion: v1", "apiVersion: v2", StringComparison.Ordinal), 1, "Service default/web", "apiVersion \"v2\" is not served for Service; expected v1"),
        new BadInput("Gateway with a withdrawn apiVersion", "case.yaml", "apiVersion: gateway.networking.k8s.io/v1alpha1\nkind: Gateway\nmetadata: {name: gw}\nspec: {gatewayClassName: istio, listeners: []}\n", 1, "Gateway default/gw", "is not served for Gateway"),
        new BadInput("misspelt MetalLB kind", "case.yaml", "apiVersion: metallb.io/v1beta1\nkind: IPAdressPool\nmetadata: {name: typo}\n", 1, "IPAdressPool default/typo", "kind \"IPAdressPool\" does not exist in metallb.io"),
        new BadInput("document that is a list", "case.yaml", "- apiVersion: v1\n  kind: Node\n", 1, "document 1", "expected a Kubernetes object"),
        new BadInput("object without kind", "case.yaml", "apiVersion: v1\nmetadata: {name: web}\n", 1, "document 1", "missing required field \"kind\""),

        // Pools: namespace, ranges, overlaps (Core's validation, named by the reader's file:line).
        new BadInput("pool in the wrong namespace", "case.yaml", Pool("other", "{addresses: [198.51.100.0/24]}", ", namespace: default"), 1, "IPAddressPool default/other", "resource must be created in metallb-system namespace"),
        new BadInput("invalid CIDR", "case.yaml", Pool("bad", "{addresses: [198.51.100.300/24]}"), 1, "IPAddressPool metallb-system/bad", "invalid CIDR \"198.51.100.300/24\""),
        new BadInput("range that ends before it starts", "case.yaml", Pool("bad", "{addresses: [198.51.100.20-198.51.100.10]}"), 1, "IPAddressPool metallb-system/bad", "is after the end IP"),
        new BadInput("range overlapping another pool", "case.yaml", Pool("overlap", "{addresses: [192.0.2.128/25]}"), 1, "IPAddressPool metallb-system/overlap", "overlaps with already defined CIDR \"192.0.2.0/24\""),
        new BadInput("ranges overlapping inside one pool", "case.yaml", Pool("self", "{addresses: [198.51.100.0/24, 198.51.100.10-198.51.100.20]}"), 1, "IPAddressPool metallb-system/self", "overlaps with already defined CIDR"),
        new BadInput("pool without addresses", "case.yaml", Pool("empty", "{addresses: []}"), 1, "IPAddressPool metallb-system/empty", "pool has no prefixes defined"),
        new BadInput("invalid pool name", "case.yaml", Pool("External", "{addresses: [198.51.100.0/24]}"), 1, "IPAddressPool metallb-system/External", "is not a valid name"),
        new BadInput("invalid selector operator", "case.yaml", Pool("sel", "{addresses: [198.51.100.0/28], serviceAllocation: {namespaceSelectors: [{matchExpressions: [{key: team, operator: Maybe, values: [a]}]}]}}"), 1, "IPAddressPool metallb-system/sel", "\"Maybe\" is not a valid label selector operator"),
        new BadInput("advertisement naming a pool twice", "case.yaml", "apiVersion: metallb.io/v1beta1\nkind: L2Advertisement\nmetadata: {name: twice}\nspec: {ipAddressPools: [base, base]}\n", 1, "L2Advertisement metallb-system/twice", "duplicate definition of ipAddressPools"),

        // Unknown and malformed fields.
        new BadInput("unknown field in a pool", "case.yaml", Pool("typo", "{adresses: [198.51.100.0/24]}"), 1, "IPAddressPool metallb-system/typo", "unknown field \"spec.adresses\""),
        new BadInput("unknown field in an advertisement", "case.yaml", "apiVersion: metallb.io/v1beta1\nkind: L2Advertisement\nmetadata: {name: typo}\nspec: {interface: [eno2]}\n", 1, "L2Advertisement metallb-system/typo", "unknown field \"spec.interface\""),
        new BadInput("unknown field in a Service", "case.yaml", Service("web", spec: ", loadBalancerIp: 192.0.2.1"), 1, "Service default/web", "unknown field \"spec.loadBalancerIp\""),
        new BadInput("unknown top-level field", "case.yaml", "apiVersion: v1\nkind: Node\nmetadata: {name: n2}\nspecs: {}\n", 1, "Node n2", "unknown field \"specs\""),
        new BadInput("autoAssign as a string", "case.yaml", Pool("str", "{addresses: [198.51.100.0/24], autoAssign: \"no\"}"), 1, "IPAddressPool metallb-system/str", "spec.autoAssign: expected a boolean, got a string"),
        new BadInput("addresses not a list", "case.yaml", Pool("scalar", "{addresses: 198.51.100.0/24}"), 1, "IPAddressPool metallb-system/scalar", "spec.addresses: expected a list, got a string"),
        new BadInput("label value that is a number", "case.yaml", "apiVersion: v1\nkind: Node\nmetadata: {name: n2, labels: {rack: 4}}\n", 1, "Node n2", "metadata.labels[rack]: expected a string, got a number"),
        new BadInput("allow-shared-ip annotation as a boolean", "case.yaml", Service("web", "metallb.io/allow-shared-ip: true"), 1, "Service default/web", "metadata.annotations[metallb.io/allow-shared-ip]: expected a string, got a boolean"),
        new BadInput("port that is a name", "case.yaml", Service("web").Replace("port: 80", "port: https", StringComparison.Ordinal), 1, "Service default/web", "spec.ports[0].port: expected an integer, got a string"),
        new BadInput("unknown ipFamilyPolicy", "case.yaml", Service("web", spec: ", ipFamilyPolicy: DualStack"), 1, "Service default/web", "spec.ipFamilyPolicy: unsupported value \"DualStack\""),
        new BadInput("RequireDualStack on a single-stack cluster", "case.yaml", Service("web", spec: ", ipFamilyPolicy: RequireDualStack"), 1, "Service default/web", "RequireDualStack on a single-stack cluster", ["--cluster-families", "ipv4"]),
        new BadInput("Gateway without a class", "case.yaml", "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gw}\nspec: {listeners: [{name: http, port: 80, protocol: HTTP}]}\n", 1, "Gateway default/gw", "missing required field \"spec.gatewayClassName\""),
        new BadInput("EndpointSlice without its Service label", "case.yaml", "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: web-abc}\naddressType: IPv4\nendpoints: []\n", 1, "EndpointSlice default/web-abc", "kubernetes.io/service-name"),
        new BadInput("malformed creationTimestamp", "case.yaml", "apiVersion: v1\nkind: Node\nmetadata: {name: n2, creationTimestamp: yesterday}\n", 1, "Node n2", "is not an RFC 3339 time"),
        new BadInput("Service defined twice", "case.yaml", Service("web") + "---\n" + Service("web"), 1, "Service default/web", "defined twice"),

        // Service annotations: Core's AllocationFailed warnings, named by the Service's file.
        new BadInput("unknown pool in the address-pool annotation", "case.yaml", Service("web", "metallb.io/address-pool: nope"), 1, "Service default/web", "unknown pool \"nope\""),
        new BadInput("unparsable loadBalancerIPs annotation", "case.yaml", Service("web", "metallb.io/loadBalancerIPs: \"192.0.2.300\""), 1, "Service default/web", "invalid metallb.io/loadBalancerIPs"),
        new BadInput("three addresses in loadBalancerIPs", "case.yaml", Service("web", "metallb.io/loadBalancerIPs: \"192.0.2.1,192.0.2.2,2001:db8::3\""), 1, "Service default/web", "expected one or two"),
        new BadInput("annotation and spec.loadBalancerIP together", "case.yaml", Service("web", "metallb.io/loadBalancerIPs: \"192.0.2.5\"", ", loadBalancerIP: 192.0.2.5"), 1, "Service default/web", "can not have both"),
        new BadInput("address outside every pool", "case.yaml", Service("web", "metallb.io/loadBalancerIPs: \"203.0.113.7\""), 1, "Service default/web", "[\"203.0.113.7\"] is not allowed in config; 203.0.113.7 is in none of the pools: base (192.0.2.0/24)"),
        new BadInput("duplicated address", "case.yaml", Service("a", "metallb.io/loadBalancerIPs: \"192.0.2.7\"") + "---\n" + Service("b", "metallb.io/loadBalancerIPs: \"192.0.2.7\""), 1, "Service default/b", "address also in use by default/a"),
        new BadInput("address of the wrong family", "case.yaml", Service("web", "metallb.io/loadBalancerIPs: \"2001:db8::9\""), 1, "Service default/web", "do not match the ipFamily"),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bad_input_is_reported_with_file_object_and_exit_code(BadInput c)
    {
        using var dir = new TempManifests();
        dir.Write("base.yaml", Base);
        dir.Write(c.File, c.Text);

        var result = CliRunner.Run([.. (string[])["plan", dir.Root], .. c.Args ?? []]);

        Assert.True(c.Exit == result.ExitCode, $"exit {result.ExitCode}, expected {c.Exit}\n{result.All}");
        // One line must carry it all: the file (with its line), the object and the message.
        var file = Path.Combine(dir.Root, c.File);
        var line = result.All.Split('\n').FirstOrDefault(l =>
            l.Contains(c.Message, StringComparison.Ordinal)
            && l.Contains(file + ":", StringComparison.Ordinal)
            && (c.ObjectName is null || l.Contains(c.ObjectName, StringComparison.Ordinal)));
        Assert.True(line is not null, $"no line with {file}, {c.ObjectName} and \"{c.Message}\" in:\n{result.All}");

        Assert.DoesNotContain("   at ", result.All, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_path_exits_2_and_names_it()
    {
        var result = CliRunner.Run("plan", "/nonexistent/ironlb/manifests");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("/nonexistent/ironlb/manifests: no such file or folder", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Output);
    }

    [Theory]
    [InlineData("plan")]
    [InlineData("plan", "--output", "yaml", ".")]
    [InlineData("plan", "--cluster-families", "ipv5", ".")]
    [InlineData("suggest", ".")]
    [InlineData("suggest", "--pool", "p", "--family", "both", ".")]
    [InlineData("frobnicate")]
    public void Bad_command_lines_exit_2_with_a_message(params string[] args)
    {
        var result = CliRunner.Run(args);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("ironlb: ", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.All, StringComparison.Ordinal);
    }
}
