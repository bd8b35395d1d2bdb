using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using IronLb.KubeSim.Tests.Support;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace IronLb.KubeSim.Tests.Client;

public sealed class SemanticsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static V1Service LoadBalancer(string name, string? policy = null, IList<string>? families = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1ServiceSpec
        {
            Type = "LoadBalancer",
            IpFamilyPolicy = policy,
            IpFamilies = families,
            Selector = new Dictionary<string, string> { ["app"] = name },
            Ports = [new V1ServicePort { Name = "http", Port = 80, TargetPort = 8080 }],
        },
    };

    [Fact]
    public async Task Services_are_defaulted_like_a_dual_stack_cluster_does()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);

        var single = await client.CoreV1.CreateNamespacedServiceAsync(LoadBalancer("single"), "default", cancellationToken: Ct);
        var prefer = await client.CoreV1.CreateNamespacedServiceAsync(LoadBalancer("prefer", "PreferDualStack"), "default", cancellationToken: Ct);
        var v6First = await client.CoreV1.CreateNamespacedServiceAsync(LoadBalancer("v6first", "RequireDualStack", ["IPv6", "IPv4"]), "default", cancellationToken: Ct);
        var clusterIp = await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "internal" },
            Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 53, Protocol = "UDP" }] },
        }, "default", cancellationToken: Ct);

        Assert.Equal("SingleStack", single.Spec.IpFamilyPolicy);
        Assert.Equal(["IPv4"], single.Spec.IpFamilies);
        Assert.StartsWith("10.96.", single.Spec.ClusterIP);
        Assert.Equal([single.Spec.ClusterIP], single.Spec.ClusterIPs);
        Assert.Equal("Cluster", single.Spec.ExternalTrafficPolicy);
        Assert.Equal("Cluster", single.Spec.InternalTrafficPolicy);
        Assert.Equal("None", single.Spec.SessionAffinity);
        Assert.True(single.Spec.AllocateLoadBalancerNodePorts);
        Assert.Equal("TCP", single.Spec.Ports[0].Protocol);
        Assert.InRange(single.Spec.Ports[0].NodePort!.Value, 30000, 32767);

        Assert.Equal(["IPv4", "IPv6"], prefer.Spec.IpFamilies);
        Assert.Equal(2, prefer.Spec.ClusterIPs.Count);
        Assert.StartsWith("fd00:10:96::", prefer.Spec.ClusterIPs[1]);

        Assert.Equal(["IPv6", "IPv4"], v6First.Spec.IpFamilies);
        Assert.StartsWith("fd00:10:96::", v6First.Spec.ClusterIP);
        Assert.NotEqual(prefer.Spec.ClusterIPs[1], v6First.Spec.ClusterIP);

        Assert.Equal("ClusterIP", clusterIp.Spec.Type);
        Assert.Null(clusterIp.Spec.Ports[0].NodePort);
        Assert.Null(clusterIp.Spec.ExternalTrafficPolicy);
        Assert.Equal(53, clusterIp.Spec.Ports[0].TargetPort.Value is { } t ? int.Parse(t) : 0);
        Assert.Equal(4, new[] { single, prefer, v6First, clusterIp }.SelectMany(s => s.Spec.ClusterIPs).Where(ip => ip.StartsWith("10.96.")).Distinct().Count());
    }

    [Fact]
    public async Task A_requested_cluster_ip_in_use_or_out_of_range_is_422_Invalid()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        var svc = LoadBalancer("a");
        svc.Spec.ClusterIP = "10.96.0.1";

        var taken = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.CreateNamespacedServiceAsync(svc, "default", cancellationToken: Ct));
        svc.Spec.ClusterIP = "10.0.0.1";
        var outside = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.CreateNamespacedServiceAsync(svc, "default", cancellationToken: Ct));

        Assert.Equal((HttpStatusCode)422, taken.Response.StatusCode);
        Assert.Contains("provided IP is already allocated", CrudTests.Status(taken).Message);
        Assert.Contains("is not in the valid range", CrudTests.Status(outside).Message);
    }

    [Fact]
    public async Task Updates_keep_allocated_cluster_ips_and_node_ports_when_the_request_omits_them()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        var created = await client.CoreV1.CreateNamespacedServiceAsync(LoadBalancer("a", "PreferDualStack"), "default", cancellationToken: Ct);

        var fresh = LoadBalancer("a");
        fresh.Metadata.Labels = new Dictionary<string, string> { ["x"] = "y" };
        var replaced = await client.CoreV1.ReplaceNamespacedServiceAsync(fresh, "a", "default", cancellationToken: Ct);

        Assert.Equal(created.Spec.ClusterIPs, replaced.Spec.ClusterIPs);
        Assert.Equal(created.Spec.Ports[0].NodePort, replaced.Spec.Ports[0].NodePort);
        Assert.Equal("PreferDualStack", replaced.Spec.IpFamilyPolicy);
    }

    [Fact]
    public async Task Status_writes_change_only_status_and_main_writes_never_change_status()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        var svc = await client.CoreV1.CreateNamespacedServiceAsync(LoadBalancer("web"), "default", cancellationToken: Ct);

        svc.Status = new V1ServiceStatus { LoadBalancer = new V1LoadBalancerStatus { Ingress = [new V1LoadBalancerIngress { Ip = "192.0.2.1" }] } };
        svc.Spec.Type = "ClusterIP";
        svc.Metadata.Annotations = new Dictionary<string, string> { ["metallb.io/ip-allocated-from-pool"] = "lab" };
        var afterStatus = await client.CoreV1.ReplaceNamespacedServiceStatusAsync(svc, "web", "default", cancellationToken: Ct);

        var statusType = afterStatus.Spec.Type;
        var statusIngress = Assert.Single(afterStatus.Status.LoadBalancer.Ingress).Ip;
        afterStatus.Status.LoadBalancer.Ingress = [];
        afterStatus.Metadata.Labels = new Dictionary<string, string> { ["changed"] = "yes" };
        var afterMain = await client.CoreV1.ReplaceNamespacedServiceAsync(afterStatus, "web", "default", cancellationToken: Ct);

        Assert.Equal("LoadBalancer", statusType);
        Assert.Equal("192.0.2.1", statusIngress);
        Assert.Equal("lab", afterStatus.Metadata.Annotations["metallb.io/ip-allocated-from-pool"]);
        Assert.Equal("192.0.2.1", Assert.Single(afterMain.Status.LoadBalancer.Ingress).Ip);
        Assert.Equal("yes", afterMain.Metadata.Labels["changed"]);
    }

    [Fact]
    public async Task Custom_resources_drop_status_on_create_bump_generation_on_spec_changes_only_and_need_a_resource_version()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        await Crds.InstallMetalLbAsync(client);
        await Crds.CreateNamespaceAsync(client, "metallb-system");
        var pool = new JsonObject
        {
            ["apiVersion"] = "metallb.io/v1beta1",
            ["kind"] = "IPAddressPool",
            ["metadata"] = new JsonObject { ["name"] = "lab" },
            ["spec"] = new JsonObject { ["addresses"] = new JsonArray("192.0.2.0/28"), ["unknownField"] = 1 },
            ["status"] = new JsonObject { ["assignedIPv4"] = 3 },
        };

        var created = Node(await client.CustomObjects.CreateNamespacedCustomObjectAsync(pool, "metallb.io", "v1beta1", "metallb-system", "ipaddresspools", cancellationToken: Ct));
        created["status"] = new JsonObject { ["assignedIPv4"] = 1, ["availableIPv4"] = 15, ["assignedIPv6"] = 0, ["availableIPv6"] = 0 };
        var statusWritten = Node(await client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync(created, "metallb.io", "v1beta1", "metallb-system", "ipaddresspools", "lab", cancellationToken: Ct));
        statusWritten["spec"]!["autoAssign"] = false;
        var specWritten = Node(await client.CustomObjects.ReplaceNamespacedCustomObjectAsync(statusWritten, "metallb.io", "v1beta1", "metallb-system", "ipaddresspools", "lab", cancellationToken: Ct));
        specWritten["metadata"]!.AsObject().Remove("resourceVersion");
        var unconditional = await Assert.ThrowsAsync<HttpOperationException>(() =>
            client.CustomObjects.ReplaceNamespacedCustomObjectAsync(specWritten, "metallb.io", "v1beta1", "metallb-system", "ipaddresspools", "lab", cancellationToken: Ct));

        Assert.Null(created["status"] is JsonObject s && s.ContainsKey("assignedIPv4") && (int)s["assignedIPv4"]! == 3 ? "kept" : null);
        Assert.Equal(1, (int)created["metadata"]!["generation"]!);
        Assert.True((bool)created["spec"]!["autoAssign"]!, "the CRD's default autoAssign: true applies");
        Assert.False(created["spec"]!.AsObject().ContainsKey("unknownField"), "fields the schema does not declare are pruned");
        Assert.Equal(1, (int)statusWritten["metadata"]!["generation"]!);
        Assert.Equal(15, (int)statusWritten["status"]!["availableIPv4"]!);
        Assert.Equal(2, (int)specWritten["metadata"]!["generation"]!);
        Assert.Equal(15, (int)specWritten["status"]!["availableIPv4"]!);
        Assert.Equal((HttpStatusCode)422, unconditional.Response.StatusCode);
    }

    [Fact]
    public async Task Custom_resources_that_break_the_crd_schema_are_422_Invalid()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        await Crds.InstallMetalLbAsync(client);
        await Crds.CreateNamespaceAsync(client, "metallb-system");

        var wrongType = await Assert.ThrowsAsync<HttpOperationException>(() => client.CustomObjects.CreateNamespacedCustomObjectAsync(
            JsonNode.Parse("""{"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"p"},"spec":{"addresses":["192.0.2.0/28"],"autoAssign":"yes"}}"""),
            "metallb.io", "v1beta1", "metallb-system", "ipaddresspools", cancellationToken: Ct));
        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => client.CustomObjects.CreateNamespacedCustomObjectAsync(
            JsonNode.Parse("""{"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"p"},"spec":{}}"""),
            "metallb.io", "v1beta1", "metallb-system", "ipaddresspools", cancellationToken: Ct));

        Assert.Equal((HttpStatusCode)422, wrongType.Response.StatusCode);
        Assert.Contains("spec.autoAssign in body must be of type boolean", CrudTests.Status(wrongType).Message);
        Assert.Equal((HttpStatusCode)422, missing.Response.StatusCode);
        Assert.Contains("spec.addresses: Required value", CrudTests.Status(missing).Message);
    }

    [Fact]
    public async Task Merge_json_and_strategic_patches_apply_as_the_real_server_does()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        var svc = LoadBalancer("web");
        svc.Spec.Ports.Add(new V1ServicePort { Name = "https", Port = 443 });
        await client.CoreV1.CreateNamespacedServiceAsync(svc, "default", cancellationToken: Ct);

        var strategic = await client.CoreV1.PatchNamespacedServiceAsync(new V1Patch(
            """{"spec":{"ports":[{"port":443,"targetPort":8443},{"$patch":"delete","port":80},{"name":"dns","port":53,"protocol":"UDP"}]}}""",
            V1Patch.PatchType.StrategicMergePatch), "web", "default", cancellationToken: Ct);
        var json = await client.CoreV1.PatchNamespacedServiceAsync(new V1Patch(
            """[{"op":"add","path":"/metadata/labels","value":{"a":"b"}},{"op":"replace","path":"/spec/externalTrafficPolicy","value":"Local"}]""",
            V1Patch.PatchType.JsonPatch), "web", "default", cancellationToken: Ct);
        var merge = await client.CoreV1.PatchNamespacedServiceAsync(new V1Patch(
            """{"metadata":{"labels":{"a":null,"c":"d"}}}""", V1Patch.PatchType.MergePatch), "web", "default", cancellationToken: Ct);
        var stale = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.PatchNamespacedServiceAsync(new V1Patch(
            """{"metadata":{"resourceVersion":"1","labels":{"e":"f"}}}""", V1Patch.PatchType.MergePatch), "web", "default", cancellationToken: Ct));

        Assert.Equal(["https:443", "dns:53"], strategic.Spec.Ports.Select(p => $"{p.Name}:{p.Port}"));
        Assert.Equal("8443", strategic.Spec.Ports[0].TargetPort.Value);
        Assert.Equal("Local", json.Spec.ExternalTrafficPolicy);
        Assert.NotNull(json.Spec.HealthCheckNodePort);
        Assert.Equal(new Dictionary<string, string> { ["c"] = "d" }, merge.Metadata.Labels);
        Assert.Equal(HttpStatusCode.Conflict, stale.Response.StatusCode);
    }

    [Fact]
    public async Task Strategic_merge_patch_on_a_custom_resource_is_415()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        await Crds.InstallMetalLbAsync(client);
        await Crds.CreateNamespaceAsync(client, "metallb-system");
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(
            JsonNode.Parse("""{"apiVersion":"metallb.io/v1beta1","kind":"L2Advertisement","metadata":{"name":"l2"}}"""),
            "metallb.io", "v1beta1", "metallb-system", "l2advertisements", cancellationToken: Ct);

        var e = await Assert.ThrowsAsync<HttpOperationException>(() => client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""{"spec":{"interfaces":["eth0"]}}""", V1Patch.PatchType.StrategicMergePatch),
            "metallb.io", "v1beta1", "metallb-system", "l2advertisements", "l2", cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, e.Response.StatusCode);
    }

    [Fact]
    public async Task Server_side_apply_creates_then_removes_fields_a_manager_stops_applying()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        var first = LoadBalancer("web");
        first.ApiVersion = "v1";
        first.Kind = "Service";
        first.Metadata.Labels = new Dictionary<string, string> { ["team"] = "net", ["tier"] = "front" };
        first.Spec.Ports.Add(new V1ServicePort { Name = "https", Port = 443 });

        var created = await client.CoreV1.PatchNamespacedServiceAsync(new V1Patch(first, V1Patch.PatchType.ApplyPatch), "web", "default", fieldManager: "gitops", cancellationToken: Ct);
        await client.CoreV1.PatchNamespacedServiceAsync(new V1Patch("""{"metadata":{"labels":{"owner":"other"}}}""", V1Patch.PatchType.MergePatch),
            "web", "default", cancellationToken: Ct);
        await client.CoreV1.PatchNamespacedServiceAsync(new V1Patch(
            """{"apiVersion":"v1","kind":"Service","metadata":{"name":"web","labels":{"tier":"front"}}}""", V1Patch.PatchType.ApplyPatch),
            "web", "default", fieldManager: "other-applier", cancellationToken: Ct);
        var second = LoadBalancer("web");
        second.ApiVersion = "v1";
        second.Kind = "Service";
        second.Metadata.Labels = new Dictionary<string, string> { ["team"] = "net" };
        var reapplied = await client.CoreV1.PatchNamespacedServiceAsync(new V1Patch(second, V1Patch.PatchType.ApplyPatch), "web", "default", fieldManager: "gitops", cancellationToken: Ct);

        Assert.Equal(2, created.Spec.Ports.Count);
        Assert.Equal(["http"], reapplied.Spec.Ports.Select(p => p.Name));
        Assert.Equal("net", reapplied.Metadata.Labels["team"]);
        Assert.Equal("front", reapplied.Metadata.Labels["tier"]);
        Assert.Equal("other", reapplied.Metadata.Labels["owner"]);
        Assert.Equal(created.Spec.ClusterIP, reapplied.Spec.ClusterIP);
        Assert.Contains(reapplied.Metadata.ManagedFields, m => m.Manager == "gitops" && m.Operation == "Apply");
        Assert.Contains(reapplied.Metadata.ManagedFields, m => m.Manager == "kubernetes-csharp" && m.Operation == "Update");
    }

    [Fact]
    public async Task A_field_another_manager_updated_survives_when_the_applier_stops_applying_it()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        const string withNote = """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg","annotations":{"note":"a"}},"data":{"k":"v"}}""";
        const string withoutNote = """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg"},"data":{"k":"v"}}""";

        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(withNote, V1Patch.PatchType.ApplyPatch), "cfg", "default", fieldManager: "gitops", cancellationToken: Ct);
        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"annotations":{"note":"b"}}}""", V1Patch.PatchType.MergePatch),
            "cfg", "default", fieldManager: "operator", cancellationToken: Ct);
        var reapplied = await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(withoutNote, V1Patch.PatchType.ApplyPatch), "cfg", "default", fieldManager: "gitops", cancellationToken: Ct);

        Assert.Equal("b", reapplied.Metadata.Annotations["note"]);
        var update = Assert.Single(reapplied.Metadata.ManagedFields, m => m.Manager == "operator");
        Assert.Equal("Update", update.Operation);
    }

    [Fact]
    public async Task Server_side_apply_to_status_with_force_changes_only_status()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        await client.CoreV1.CreateNamespacedServiceAsync(LoadBalancer("lb1"), "default", cancellationToken: Ct);
        var applied = new V1Service
        {
            ApiVersion = "v1",
            Kind = "Service",
            Metadata = new V1ObjectMeta { Name = "lb1", NamespaceProperty = "default" },
            Spec = new V1ServiceSpec { Type = "NodePort" },
            Status = new V1ServiceStatus { LoadBalancer = new V1LoadBalancerStatus { Ingress = [new V1LoadBalancerIngress { Ip = "192.0.2.7" }] } },
        };

        var result = await client.CoreV1.PatchNamespacedServiceStatusAsync(new V1Patch(applied, V1Patch.PatchType.ApplyPatch), "lb1", "default",
            fieldManager: "metallb-controller", force: true, cancellationToken: Ct);
        applied.Status.LoadBalancer.Ingress = [new V1LoadBalancerIngress { Ip = "192.0.2.8" }];
        var again = await client.CoreV1.PatchNamespacedServiceStatusAsync(new V1Patch(applied, V1Patch.PatchType.ApplyPatch), "lb1", "default",
            fieldManager: "metallb-controller", force: true, cancellationToken: Ct);

        Assert.Equal("LoadBalancer", result.Spec.Type);
        Assert.Equal("192.0.2.7", Assert.Single(result.Status.LoadBalancer.Ingress).Ip);
        Assert.Equal("192.0.2.8", Assert.Single(again.Status.LoadBalancer.Ingress).Ip);
    }

    [Fact]
    public async Task Server_side_apply_merges_custom_resource_lists_by_the_keys_the_crd_declares()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        await Crds.InstallMetalLbAsync(client);
        await Crds.CreateNamespaceAsync(client, "metallb-system");
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(
            JsonNode.Parse("""{"apiVersion":"metallb.io/v1beta1","kind":"ConfigurationState","metadata":{"name":"controller"}}"""),
            "metallb.io", "v1beta1", "metallb-system", "configurationstates", cancellationToken: Ct);
        static string Condition(string type) =>
            $$$"""{"apiVersion":"metallb.io/v1beta1","kind":"ConfigurationState","metadata":{"name":"controller"},"status":{"conditions":[{"type":"{{{type}}}","status":"True","reason":"Synced","message":"ok","lastTransitionTime":"2026-01-01T00:00:00Z"}]}}""";
        async Task<JsonObject> ApplyStatusAsync(string manager, string body) => Node(await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch(body, V1Patch.PatchType.ApplyPatch), "metallb.io", "v1beta1", "metallb-system", "configurationstates", "controller",
            fieldManager: manager, force: true, cancellationToken: Ct));

        await ApplyStatusAsync("controller", Condition("Pools"));
        var both = await ApplyStatusAsync("speaker", Condition("Interfaces"));
        var withoutPools = await ApplyStatusAsync("controller", """{"apiVersion":"metallb.io/v1beta1","kind":"ConfigurationState","metadata":{"name":"controller"},"status":{}}""");

        Assert.Equal(["Pools", "Interfaces"], both["status"]!["conditions"]!.AsArray().Select(c => (string)c!["type"]!));
        Assert.Equal(["Interfaces"], withoutPools["status"]!["conditions"]!.AsArray().Select(c => (string)c!["type"]!));
    }

    private static JsonObject Node(object response) =>
        JsonNode.Parse(((JsonElement)response).GetRawText())!.AsObject();
}
