using System.Text.Json;
using k8s;
using k8s.Models;

namespace IronLb.Tests.Commands;

/// <summary>`ironlb status` against KubeSim: the live table from Service status, ServiceL2Status and events.</summary>
[Trait("Category", Category.Kubectl)]
public sealed class StatusCommandTests
{
    [Fact]
    public async Task Status_shows_addresses_pool_announcer_interfaces_warnings_and_exact_usage()
    {
        await using var api = await KubeSim.KubeSim.StartAsync();
        using var client = await PrepareAsync(api);
        await Create(client, "ipaddresspools", """{"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"external"},"spec":{"addresses":["192.0.2.8/29","2001:db8:3a::/64"],"autoAssign":false}}""");

        var web = await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "web", Annotations = new Dictionary<string, string> { ["metallb.io/ip-allocated-from-pool"] = "external" } },
            Spec = new V1ServiceSpec { Type = "LoadBalancer", Ports = [new V1ServicePort { Port = 443 }] },
        }, "default");
        web.Status.LoadBalancer = new V1LoadBalancerStatus { Ingress = [new() { Ip = "192.0.2.9" }] };
        await client.CoreV1.ReplaceNamespacedServiceStatusAsync(web.WithoutManagedFields(), "web", "default");
        await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "pending" },
            Spec = new V1ServiceSpec { Type = "LoadBalancer", Ports = [new V1ServicePort { Port = 80 }] },
        }, "default");
        await client.CoreV1.CreateNamespacedEventAsync(new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = "pending.1" },
            InvolvedObject = new V1ObjectReference { Kind = "Service", Name = "pending", NamespaceProperty = "default" },
            Type = "Warning",
            Reason = "AllocationFailed",
            Message = "Failed to allocate IP for \"default/pending\": no available IPs",
            LastTimestamp = DateTime.UtcNow,
        }, "default");
        // As a speaker does it: create, then write the status subresource (a create ignores status).
        await Create(client, "servicel2statuses", """{"apiVersion":"metallb.io/v1beta1","kind":"ServiceL2Status","metadata":{"name":"l2-abcde","labels":{"metallb.io/node":"cwn2"}}}""");
        var status = """{"status":{"node":"cwn2","serviceName":"web","serviceNamespace":"default","interfaces":[{"name":"eno2"}]}}""";
        await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(new V1Patch(status, V1Patch.PatchType.MergePatch), "metallb.io", "v1beta1", "metallb-system", "servicel2statuses", "l2-abcde");

        // An IronLB speaker (annotations, a valid configuration), a MetalLB speaker (neither), and the controller (not a speaker).
        await Create(client, "configurationstates", """{"apiVersion":"metallb.io/v1beta1","kind":"ConfigurationState","metadata":{"name":"speaker-cwn2","labels":{"metallb.io/component-type":"speaker","metallb.io/node-name":"cwn2"},"annotations":{"ironlb.io/membership-endpoint":"203.0.113.12:7947","ironlb.io/layer2-replies":"eno2/arp=kernel,eno2/ndp=kernel,eno3/arp=kernel,eno3/ndp=userspace"}}}""");
        await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(new V1Patch("""{"status":{"result":"Valid"}}""", V1Patch.PatchType.MergePatch), "metallb.io", "v1beta1", "metallb-system", "configurationstates", "speaker-cwn2");
        await Create(client, "configurationstates", """{"apiVersion":"metallb.io/v1beta1","kind":"ConfigurationState","metadata":{"name":"speaker-cwn1","labels":{"metallb.io/component-type":"speaker","metallb.io/node-name":"cwn1"}}}""");
        await Create(client, "configurationstates", """{"apiVersion":"metallb.io/v1beta1","kind":"ConfigurationState","metadata":{"name":"controller","labels":{"metallb.io/component-type":"controller"}}}""");

        var table = CliRunner.Run("status", "--kubeconfig", api.Kubeconfig);
        Assert.Equal(1, table.ExitCode); // a Service has a Warning
        var speakers = table.Output[table.Output.IndexOf("SPEAKERS", StringComparison.Ordinal)..].Split('\n').Skip(2).TakeWhile(l => l.Length > 0).ToList();
        Assert.Equal(2, speakers.Count);
        Assert.Matches(@"^\s*cwn1\s+-\s+-\s+-\s*$", speakers[0]);
        Assert.Matches(@"^\s*cwn2\s+Valid\s+203\.0\.113\.12:7947\s+kernel: eno2, eno3/arp; userspace: eno3/ndp\s*$", speakers[1]);
        var webRow = table.Output.Split('\n').Single(l => l.StartsWith("default/web", StringComparison.Ordinal));
        Assert.Contains("192.0.2.9", webRow, StringComparison.Ordinal);
        Assert.Contains("external", webRow, StringComparison.Ordinal);
        Assert.Contains("cwn2", webRow, StringComparison.Ordinal);
        Assert.Contains("eno2", webRow, StringComparison.Ordinal);
        Assert.Contains(table.Output.Split('\n'), l => l.StartsWith("default/pending", StringComparison.Ordinal) && l.Contains("AllocationFailed", StringComparison.Ordinal));

        var json = CliRunner.Run("status", "--kubeconfig", api.Kubeconfig, "--output", "json");
        using var document = JsonDocument.Parse(json.Output);
        var pool = document.RootElement.GetProperty("pools")[0];
        Assert.Equal(8, pool.GetProperty("ipv4").GetProperty("total").GetInt32());
        Assert.Equal(1, pool.GetProperty("ipv4").GetProperty("assigned").GetInt32());
        Assert.Equal("18446744073709551616", pool.GetProperty("ipv6").GetProperty("total").GetRawText());
        var reported = document.RootElement.GetProperty("speakers").EnumerateArray().ToList();
        Assert.Equal(["cwn1", "cwn2"], reported.Select(r => r.GetProperty("node").GetString()));
        Assert.Equal(JsonValueKind.Null, reported[0].GetProperty("replies").ValueKind);
        Assert.Equal(JsonValueKind.Null, reported[0].GetProperty("config").ValueKind);
        Assert.Equal("Valid", reported[1].GetProperty("config").GetString());
        Assert.Equal("203.0.113.12:7947", reported[1].GetProperty("membershipEndpoint").GetString());
        Assert.Equal("userspace", reported[1].GetProperty("replies").GetProperty("eno3/ndp").GetString());
        Assert.Equal("kernel", reported[1].GetProperty("replies").GetProperty("eno2/arp").GetString());
    }

    [Fact]
    public async Task Status_flags_addresses_nobody_announces_and_addresses_two_nodes_announce()
    {
        await using var api = await KubeSim.KubeSim.StartAsync();
        using var client = await PrepareAsync(api);
        await Create(client, "ipaddresspools", """{"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"external"},"spec":{"addresses":["192.0.2.8/29"],"autoAssign":false}}""");
        foreach (var (name, ip) in new[] { ("silent", "192.0.2.9"), ("twice", "192.0.2.10") })
        {
            var service = await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
            {
                Metadata = new V1ObjectMeta { Name = name },
                Spec = new V1ServiceSpec { Type = "LoadBalancer", Ports = [new V1ServicePort { Port = 443 }] },
            }, "default");
            service.Status.LoadBalancer = new V1LoadBalancerStatus { Ingress = [new() { Ip = ip }] };
            await client.CoreV1.ReplaceNamespacedServiceStatusAsync(service.WithoutManagedFields(), name, "default");
        }

        // Without any speaker reporting, "nobody announces it" would only say that no speaker runs.
        var before = CliRunner.Run("status", "--kubeconfig", api.Kubeconfig);
        Assert.DoesNotContain("NotAnnounced", before.Output, StringComparison.Ordinal);

        await Create(client, "configurationstates", """{"apiVersion":"metallb.io/v1beta1","kind":"ConfigurationState","metadata":{"name":"speaker-cwn1","labels":{"metallb.io/component-type":"speaker","metallb.io/node-name":"cwn1"}}}""");
        foreach (var (statusName, node) in new[] { ("l2-aaaaa", "cwn1"), ("l2-bbbbb", "cwn3") })
        {
            await Create(client, "servicel2statuses", "{\"apiVersion\":\"metallb.io/v1beta1\",\"kind\":\"ServiceL2Status\",\"metadata\":{\"name\":\"" + statusName + "\",\"labels\":{\"metallb.io/node\":\"" + node + "\"}}}");
            var status = "{\"status\":{\"node\":\"" + node + "\",\"serviceName\":\"twice\",\"serviceNamespace\":\"default\"}}";
            await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(new V1Patch(status, V1Patch.PatchType.MergePatch), "metallb.io", "v1beta1", "metallb-system", "servicel2statuses", statusName);
        }

        var table = CliRunner.Run("status", "--kubeconfig", api.Kubeconfig);
        Assert.Equal(1, table.ExitCode);
        var lines = table.Output.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("default/silent", StringComparison.Ordinal) && l.Contains("NotAnnounced", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("default/twice", StringComparison.Ordinal) && l.Contains("MoreThanOneAnnouncer", StringComparison.Ordinal));
        Assert.Contains("cwn1 and cwn3", table.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_warns_of_an_address_conflict_a_speaker_reports_first_and_once()
    {
        await using var api = await KubeSim.KubeSim.StartAsync();
        using var client = await PrepareAsync(api);
        await Create(client, "ipaddresspools", """{"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"external"},"spec":{"addresses":["192.0.2.32/27"],"autoAssign":false}}""");
        foreach (var (name, ip) in new[] { ("dns", "192.0.2.40"), ("web", "192.0.2.41"), ("mail", "192.0.2.42") })
        {
            var service = await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
            {
                Metadata = new V1ObjectMeta { Name = name },
                Spec = new V1ServiceSpec { Type = "LoadBalancer", Ports = [new V1ServicePort { Port = 53 }] },
            }, "default");
            service.Status.LoadBalancer = new V1LoadBalancerStatus { Ingress = [new() { Ip = ip }] };
            await client.CoreV1.ReplaceNamespacedServiceStatusAsync(service.WithoutManagedFields(), name, "default");
        }

        const string inUse = "192.0.2.40 on eno2 is in use by 02:42:ac:11:00:02; not announced";
        // The speaker's event says what its condition says: the row shows it once.
        await client.CoreV1.CreateNamespacedEventAsync(new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = "dns.1" },
            InvolvedObject = new V1ObjectReference { Kind = "Service", Name = "dns", NamespaceProperty = "default" },
            Type = "Warning",
            Reason = "addressConflict",
            Message = inUse,
            LastTimestamp = DateTime.UtcNow,
        }, "default");
        var conditions = new Dictionary<string, string>
        {
            ["dns"] = """[{"type":"AddressConflict","status":"True","reason":"AddressInUse","message":"192.0.2.40 on eno2 is in use by 02:42:ac:11:00:02; not announced","lastTransitionTime":"2026-12-06T22:00:00Z"}]""",
            ["web"] = """[{"type":"AddressConflict","status":"True","reason":"AddressClaimed","message":"192.0.2.41 on eno2 is claimed by 02:42:ac:11:00:03; defended","lastTransitionTime":"2026-12-06T22:00:00Z"}]""",
            // A conflict that ended is no warning.
            ["mail"] = """[{"type":"AddressConflict","status":"False","reason":"NoConflict","message":"192.0.2.42 on eno2 is answered only by cwn2","lastTransitionTime":"2026-12-06T22:00:00Z"}]""",
        };
        foreach (var (service, list) in conditions)
        {
            await Create(client, "servicel2statuses", "{\"apiVersion\":\"metallb.io/v1beta1\",\"kind\":\"ServiceL2Status\",\"metadata\":{\"name\":\"l2-" + service + "\",\"labels\":{\"metallb.io/node\":\"cwn2\"}}}");
            var status = "{\"status\":{\"node\":\"cwn2\",\"serviceName\":\"" + service + "\",\"serviceNamespace\":\"default\",\"interfaces\":[{\"name\":\"eno2\"}],\"conditions\":" + list + "}}";
            await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(new V1Patch(status, V1Patch.PatchType.MergePatch), "metallb.io", "v1beta1", "metallb-system", "servicel2statuses", "l2-" + service);
        }

        var table = CliRunner.Run("status", "--kubeconfig", api.Kubeconfig);
        Assert.Equal(1, table.ExitCode);
        var lines = table.Output.Split('\n');
        // The row keeps its node: the speaker that would announce it reports the conflict. (No pool annotation: "-".)
        Assert.Matches(@"^default/dns\s+192\.0\.2\.40\s+-\s+cwn2\s+eno2\s+-\s+AddressConflict: 192\.0\.2\.40 on eno2 is in use by 02:42:ac:11:00:02; not announced\s*$", lines.Single(l => l.StartsWith("default/dns", StringComparison.Ordinal)));
        Assert.Contains("AddressConflict: 192.0.2.41 on eno2 is claimed by 02:42:ac:11:00:03; defended", lines.Single(l => l.StartsWith("default/web", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Matches(@"^default/mail\s+192\.0\.2\.42\s+-\s+cwn2\s+eno2\s+-\s*$", lines.Single(l => l.StartsWith("default/mail", StringComparison.Ordinal)));

        var json = CliRunner.Run("status", "--kubeconfig", api.Kubeconfig, "--output", "json");
        using var document = JsonDocument.Parse(json.Output);
        var services = document.RootElement.GetProperty("services").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!);
        var dns = Assert.Single(services["dns"].GetProperty("events").EnumerateArray());
        Assert.Equal(("Warning", "AddressConflict", inUse), (dns.GetProperty("type").GetString(), dns.GetProperty("reason").GetString(), dns.GetProperty("message").GetString()));
        Assert.Equal("cwn2", services["dns"].GetProperty("announce").GetProperty("node").GetString());
        Assert.Empty(services["mail"].GetProperty("events").EnumerateArray());
    }

    [Fact]
    public async Task Status_reports_a_component_that_rejects_the_configuration()
    {
        await using var api = await KubeSim.KubeSim.StartAsync();
        using var client = await PrepareAsync(api);
        await Create(client, "ipaddresspools", """{"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"external"},"spec":{"addresses":["192.0.2.8/29"],"autoAssign":false}}""");
        await Create(client, "configurationstates", """{"apiVersion":"metallb.io/v1beta1","kind":"ConfigurationState","metadata":{"name":"speaker-cwn3","labels":{"metallb.io/component-type":"speaker","metallb.io/node-name":"cwn3"}}}""");
        await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(new V1Patch("""{"status":{"result":"Valid"}}""", V1Patch.PatchType.MergePatch), "metallb.io", "v1beta1", "metallb-system", "configurationstates", "speaker-cwn3");

        var valid = CliRunner.Run("status", "--kubeconfig", api.Kubeconfig);
        Assert.Equal(0, valid.ExitCode);

        var summary = "L2Advertisement metallb-system/public: nodeSelectors: invalid label selector";
        await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(new V1Patch("{\"status\":{\"result\":\"Invalid\",\"errorSummary\":\"" + summary + "\"}}", V1Patch.PatchType.MergePatch), "metallb.io", "v1beta1", "metallb-system", "configurationstates", "speaker-cwn3");
        var table = CliRunner.Run("status", "--kubeconfig", api.Kubeconfig);
        Assert.Equal(1, table.ExitCode);
        var errors = table.Output[table.Output.IndexOf("ERRORS", StringComparison.Ordinal)..];
        Assert.Contains("ConfigurationState metallb-system/speaker-cwn3: the speaker rejects the current configuration", errors, StringComparison.Ordinal);
        Assert.Contains(summary, errors, StringComparison.Ordinal);
        Assert.Matches(@"cwn3\s+Invalid", table.Output);

        var json = CliRunner.Run("status", "--kubeconfig", api.Kubeconfig, "--output", "json");
        using var document = JsonDocument.Parse(json.Output);
        var error = Assert.Single(document.RootElement.GetProperty("errors").EnumerateArray());
        Assert.Equal("ConfigurationState metallb-system/speaker-cwn3", error.GetProperty("object").GetString());
    }

    [Fact]
    public async Task Status_shows_each_speakers_BGP_sessions_and_exits_1_while_one_is_not_up()
    {
        await using var api = await KubeSim.KubeSim.StartAsync();
        using var client = await PrepareAsync(api);

        // A speaker in BGP mode that no BGPPeer selects reports "[]": no BGP section, nothing to flag.
        await Speaker(client, "cwn1", "[]");
        var quiet = CliRunner.Run("status", "--kubeconfig", api.Kubeconfig);
        Assert.Equal(0, quiet.ExitCode);
        Assert.DoesNotContain("BGP SESSIONS", quiet.Output, StringComparison.Ordinal);

        await Speaker(client, "cwn2", """[{"peer":"tor-a","address":"192.0.2.254:179","state":"Established","since":"2026-12-07T13:00:00Z","advertised":3,"desired":3},{"peer":"tor-b","address":"[2001:db8:3a::254]:179","state":"Connecting","since":"2026-12-07T12:59:00Z","advertised":0,"desired":3,"lastError":"Connection refused"}]""");
        var table = CliRunner.Run("status", "--kubeconfig", api.Kubeconfig);
        Assert.Equal(1, table.ExitCode);
        var rows = table.Output[table.Output.IndexOf("BGP SESSIONS", StringComparison.Ordinal)..].Split('\n').Skip(1).TakeWhile(l => l.Length > 0).ToList();
        Assert.Matches(@"^NODE\s+PEER\s+ADDRESS\s+STATE\s+SINCE\s+PREFIXES\s+LAST ERROR$", rows[0]);
        Assert.Matches(@"^cwn2\s+tor-a\s+192\.0\.2\.254:179\s+Established\s+2026-12-07 13:00:00Z\s+3/3\s+-$", rows[1]);
        Assert.Matches(@"^cwn2\s+tor-b\s+\[2001:db8:3a::254\]:179\s+Connecting\s+2026-12-07 12:59:00Z\s+0/3\s+Connection refused$", rows[2]);
        Assert.Equal(3, rows.Count);

        var json = CliRunner.Run("status", "--kubeconfig", api.Kubeconfig, "--output", "json");
        using var document = JsonDocument.Parse(json.Output);
        var speakers = document.RootElement.GetProperty("speakers").EnumerateArray().ToList();
        Assert.Empty(speakers[0].GetProperty("bgpSessions").EnumerateArray());
        var sessions = speakers[1].GetProperty("bgpSessions").EnumerateArray().ToList();
        Assert.Equal(["tor-a", "tor-b"], sessions.Select(s => s.GetProperty("peer").GetString()));
        Assert.Equal((3, 3), (sessions[0].GetProperty("advertisedPrefixes").GetInt32(), sessions[0].GetProperty("desiredPrefixes").GetInt32()));
        Assert.Equal(JsonValueKind.Null, sessions[0].GetProperty("lastError").ValueKind);
        Assert.Equal("Connection refused", sessions[1].GetProperty("lastError").GetString());

        // A report that cannot be read is shown as such, never dropped, and is a finding.
        await Speaker(client, "cwn3", "{not json");
        var unreadable = CliRunner.Run("status", "--kubeconfig", api.Kubeconfig);
        Assert.Equal(1, unreadable.ExitCode);
        Assert.Contains(unreadable.Output.Split('\n'), l => l.StartsWith("cwn3", StringComparison.Ordinal) && l.Contains("ironlb.io/bgp-sessions: not JSON", StringComparison.Ordinal));
    }

    [Fact]
    public void Status_without_a_reachable_cluster_says_so_without_a_stack_trace()
    {
        using var manifests = new TempManifests();
        var kubeconfig = manifests.Write("kubeconfig", """
            apiVersion: v1
            kind: Config
            clusters: [{name: c, cluster: {server: "http://127.0.0.1:9"}}]
            users: [{name: u, user: {token: t}}]
            contexts: [{name: c, context: {cluster: c, user: u}}]
            current-context: c
            """);
        var result = CliRunner.Run("status", "--kubeconfig", kubeconfig);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("ironlb status:", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    /// <summary>MetalLB's CRDs installed, the namespace created, and a client for the API server.</summary>
    private static async Task<k8s.Kubernetes> PrepareAsync(KubeSim.KubeSim api)
    {
        await Kubectl.OkOnceAsync(api.Kubeconfig, "apply", "-f", Path.Combine(RepoPaths.Root, "deploy", "crds"));
        var client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(api.Kubeconfig));
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "metallb-system" } });
        return client;
    }

    /// <summary>A speaker's ConfigurationState with a BGP sessions report, as an IronLB speaker in BGP mode writes it.</summary>
    private static Task Speaker(k8s.Kubernetes client, string node, string sessions) =>
        Create(client, "configurationstates", new System.Text.Json.Nodes.JsonObject
        {
            ["apiVersion"] = "metallb.io/v1beta1",
            ["kind"] = "ConfigurationState",
            ["metadata"] = new System.Text.Json.Nodes.JsonObject
            {
                ["name"] = "speaker-" + node,
                ["labels"] = new System.Text.Json.Nodes.JsonObject { ["metallb.io/component-type"] = "speaker", ["metallb.io/node-name"] = node },
                ["annotations"] = new System.Text.Json.Nodes.JsonObject { ["ironlb.io/bgp-sessions"] = sessions },
            },
        }.ToJsonString());

    private static Task Create(k8s.Kubernetes client, string plural, string json) =>
        client.CreateNamespacedCustomObjectAsync(json, "metallb.io", "v1beta1", "metallb-system", plural);
}
