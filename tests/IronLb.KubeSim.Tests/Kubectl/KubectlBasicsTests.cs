using IronLb.KubeSim.Tests.Support;

namespace IronLb.KubeSim.Tests.Kubectl;

[Trait("Category", Category.Kubectl)]
public sealed class KubectlBasicsTests
{
    [Fact]
    public async Task Version_reports_minor_32_so_the_dispatcher_runs_kubectl_1_32()
    {
        await using var api = await Sim.StartAsync();
        using var kubectl = new Support.Kubectl(api);

        var output = await kubectl.OkAsync("version");

        Assert.Contains("Server Version: v1.32.0", output);
    }

    [Fact]
    public async Task Typed_create_commands_send_protobuf_and_are_understood()
    {
        await using var api = await Sim.StartAsync();
        using var kubectl = new Support.Kubectl(api);

        await kubectl.OkAsync("create namespace lab");
        await kubectl.OkAsync("create configmap cfg -n lab --from-literal=a=b");
        await kubectl.OkAsync("create secret generic s1 -n lab --from-literal=pw=x");
        await kubectl.OkAsync("create service loadbalancer web -n lab --tcp=80:8080");
        var labels = await kubectl.OkAsync("get ns lab -o jsonpath={.metadata.labels}");
        var data = await kubectl.OkAsync("get cm cfg -n lab -o jsonpath={.data.a}");
        var secret = await kubectl.OkAsync("get secret s1 -n lab -o jsonpath={.type}/{.data.pw}");
        var service = await kubectl.OkAsync("get svc web -n lab -o jsonpath={.spec.type}/{.spec.selector.app}/{.spec.ports[0].port}:{.spec.ports[0].targetPort}");

        Assert.Equal("{\"kubernetes.io/metadata.name\":\"lab\"}", labels);
        Assert.Equal("b", data);
        Assert.Equal("Opaque/eA==", secret);
        Assert.Equal("LoadBalancer/web/80:8080", service);
    }

    [Fact]
    public async Task Api_resources_lists_short_names_explain_reads_crd_schemas_and_auth_can_i_says_yes()
    {
        await using var api = await Sim.StartAsync();
        using var kubectl = new Support.Kubectl(api);
        await kubectl.OkAsync($"apply -f {Clients.CrdDirectory}");

        var resources = await kubectl.OkAsync("api-resources");
        var canI = await kubectl.OkAsync("auth can-i patch services/status -n default");
        var explain = await kubectl.OkAsync("explain ipaddresspools.spec.autoAssign");

        Assert.Matches(@"(?m)^services\s+svc\s+v1\s+true\s+Service$", resources);
        Assert.Matches(@"(?m)^ipaddresspools\s+metallb\.io/v1beta1\s+true\s+IPAddressPool$", resources);
        Assert.Matches(@"(?m)^customresourcedefinitions\s+crd,crds\s+apiextensions\.k8s\.io/v1\s+false\s+CustomResourceDefinition$", resources);
        Assert.Equal("yes", canI.Trim());
        Assert.Contains("FIELD: autoAssign <boolean>", explain);
    }

    [Fact]
    public async Task Workloads_and_rbac_from_deploy_manifests_are_stored_and_track_generation()
    {
        await using var api = await Sim.StartAsync();
        using var kubectl = new Support.Kubectl(api);
        const string manifest = """
            apiVersion: apps/v1
            kind: DaemonSet
            metadata: {name: speaker, namespace: default}
            spec:
              selector: {matchLabels: {app: speaker}}
              template:
                metadata: {labels: {app: speaker}}
                spec:
                  containers:
                  - name: speaker
                    image: ironlb:dev
                    env: [{name: LEVEL, value: info}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: ironlb-speaker}
            rules: [{apiGroups: [""], resources: [services, nodes], verbs: [get, list, watch]}]

            """;

        var created = await kubectl.OkAsync("apply -f -", manifest);
        var changed = await kubectl.OkAsync("apply -f -", manifest.Replace("value: info", "value: debug"));
        var state = await kubectl.OkAsync("get ds speaker -o jsonpath={.metadata.generation}/{.spec.template.spec.containers[0].env[0].value}");

        Assert.Contains("daemonset.apps/speaker created", created);
        Assert.Contains("clusterrole.rbac.authorization.k8s.io/ironlb-speaker created", created);
        Assert.Contains("daemonset.apps/speaker configured", changed);
        Assert.Contains("clusterrole.rbac.authorization.k8s.io/ironlb-speaker unchanged", changed);
        Assert.Equal("2/debug", state);
    }

    [Fact]
    public async Task Get_reads_a_collection_in_chunks_and_shows_every_row()
    {
        await using var api = await Sim.StartAsync();
        using var kubectl = new Support.Kubectl(api);
        for (var i = 0; i < 7; i++)
        {
            await kubectl.OkAsync($"create configmap cm-{i} -n default --from-literal=a=b");
        }

        var table = await kubectl.OkAsync("get configmaps -n default --chunk-size=3 --no-headers -o custom-columns=NAME:.metadata.name");
        var names = await kubectl.OkAsync("get configmaps -n default --chunk-size=2 -o name");

        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"cm-{i}"), table.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"configmap/cm-{i}"), names.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
