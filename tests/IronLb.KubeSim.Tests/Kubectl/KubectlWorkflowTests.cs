using IronLb.KubeSim.Tests.Support;

namespace IronLb.KubeSim.Tests.Kubectl;

/// <summary>The real kubectl 1.32 against KubeSim, command by command, as a user of the lab would type them.</summary>
[Trait("Category", Category.Kubectl)]
public sealed class KubectlWorkflowTests
{
    private const string Manifest = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: metallb-system
        ---
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata:
          name: lab-pool
          namespace: metallb-system
        spec:
          addresses: ["192.0.2.0/28"]
        ---
        apiVersion: metallb.io/v1beta1
        kind: L2Advertisement
        metadata:
          name: l2
          namespace: metallb-system
        spec:
          ipAddressPools: [lab-pool]
          nodeSelectors:
          - matchLabels: {kubernetes.io/hostname: node-a}
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: web
          namespace: default
        spec:
          type: LoadBalancer
          selector: {app: web}
          ports:
          - name: http
            port: 80
            targetPort: 8080

        """;

    private const string Event = """
        apiVersion: v1
        kind: Event
        metadata:
          name: web.17a1
          namespace: default
        involvedObject: {kind: Service, name: web, namespace: default, apiVersion: v1, uid: UID}
        reason: IPAllocated
        message: Assigned IP ["192.0.2.0"]
        type: Normal
        source: {component: metallb-controller}
        count: 1

        """;

    private static async Task<(KubeSim Api, Support.Kubectl Kubectl)> StartWithManifestAsync()
    {
        var api = await Sim.StartAsync();
        var kubectl = new Support.Kubectl(api);
        await kubectl.OkAsync($"apply -f {Clients.CrdDirectory}");
        await kubectl.OkAsync("apply -f -", Manifest);
        return (api, kubectl);
    }

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static string Squash(string line) => string.Join(' ', line.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    [Fact]
    public async Task Apply_of_crds_pools_and_services_then_get_shows_the_crd_printer_columns_and_service_columns()
    {
        var (api, kubectl) = await StartWithManifestAsync();
        await using var _ = api;
        using var __ = kubectl;

        var pools = Lines(await kubectl.OkAsync("get ipaddresspools -n metallb-system"));
        var ads = Lines(await kubectl.OkAsync("get l2advertisements -n metallb-system -o wide"));
        var services = Lines(await kubectl.OkAsync("get svc -A -o wide"));

        Assert.Equal("NAME AUTO ASSIGN AVOID BUGGY IPS ADDRESSES", Squash(pools[0]));
        Assert.Equal("lab-pool true false [\"192.0.2.0/28\"]", Squash(pools[1]));
        Assert.Equal("NAME IPADDRESSPOOLS IPADDRESSPOOL SELECTORS INTERFACES NODE SELECTORS", Squash(ads[0]));
        Assert.StartsWith("l2 [\"lab-pool\"]", Squash(ads[1]));
        Assert.Contains("kubernetes.io/hostname", ads[1]);
        Assert.Equal("NAMESPACE NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE SELECTOR", Squash(services[0]));
        Assert.Matches(@"^default kubernetes ClusterIP 10\.96\.0\.1 <none> 443/TCP \S+ <none>$", Squash(services[1]));
        Assert.Matches(@"^default web LoadBalancer 10\.96\.\d+\.\d+ <pending> 80:3\d{4}/TCP \S+ app=web$", Squash(services[2]));
    }

    [Fact]
    public async Task Client_side_reapply_patches_what_changed_and_reports_unchanged_otherwise()
    {
        var (api, kubectl) = await StartWithManifestAsync();
        await using var _ = api;
        using var __ = kubectl;

        var unchanged = await kubectl.OkAsync("apply -f -", Manifest);
        var changed = await kubectl.OkAsync("apply -f -", Manifest.Replace("port: 80", "port: 81").Replace("192.0.2.0/28", "192.0.2.16/28"));
        var ports = await kubectl.OkAsync("get svc web -o jsonpath={.spec.ports[*].port}");
        var addresses = await kubectl.OkAsync("get ipaddresspool lab-pool -n metallb-system -o jsonpath={.spec.addresses}");

        Assert.Contains("service/web unchanged", unchanged);
        Assert.Contains("service/web configured", changed);
        Assert.Contains("ipaddresspool.metallb.io/lab-pool configured", changed);
        Assert.Equal("81", ports);
        Assert.Equal("[\"192.0.2.16/28\"]", addresses);
    }

    [Fact]
    public async Task Server_side_apply_creates_and_a_reapply_without_a_field_removes_it()
    {
        await using var api = await Sim.StartAsync();
        using var kubectl = new Support.Kubectl(api);
        await kubectl.OkAsync($"apply --server-side -f {Clients.CrdDirectory}");
        var withLabel = Manifest.Replace("  name: web\n", "  name: web\n  labels: {team: net, tier: front}\n");

        var created = await kubectl.OkAsync("apply --server-side -f -", withLabel);
        var reapplied = await kubectl.OkAsync("apply --server-side -f -", withLabel.Replace(", tier: front", "").Replace("port: 80", "port: 8080"));
        var labels = await kubectl.OkAsync("get svc web -o jsonpath={.metadata.labels}");
        var ports = await kubectl.OkAsync("get svc web -o jsonpath={.spec.ports[*].port}");
        var pools = await kubectl.OkAsync("get ipaddresspools -n metallb-system");

        Assert.Contains("service/web serverside-applied", created);
        Assert.Contains("ipaddresspool.metallb.io/lab-pool serverside-applied", created);
        Assert.Contains("service/web serverside-applied", reapplied);
        Assert.Equal("{\"team\":\"net\"}", labels);
        Assert.Equal("8080", ports);
        Assert.Contains("lab-pool", pools);
    }

    [Fact]
    public async Task Describe_svc_and_get_events_show_core_events()
    {
        var (api, kubectl) = await StartWithManifestAsync();
        await using var _ = api;
        using var __ = kubectl;
        // describe selects events by the Service's uid, as a recorder fills it in.
        var uid = await kubectl.OkAsync("get svc web -o jsonpath={.metadata.uid}");
        await kubectl.OkAsync("create -f -", Event.Replace("UID", uid));

        var describe = await kubectl.OkAsync("describe svc web");
        var events = Lines(await kubectl.OkAsync("get events"));
        var wide = Lines(await kubectl.OkAsync("get events -A -o wide"));

        Assert.Contains("LoadBalancer", describe);
        Assert.Matches(@"Normal\s+IPAllocated\s+\S+\s+metallb-controller\s+Assigned IP \[""192\.0\.2\.0""\]", describe);
        Assert.Equal("LAST SEEN TYPE REASON OBJECT MESSAGE", Squash(events[0]));
        Assert.EndsWith("Normal IPAllocated service/web Assigned IP [\"192.0.2.0\"]", Squash(events[1]));
        Assert.Contains("metallb-controller", wide[1]);
        Assert.Contains("web.17a1", wide[1]);
    }

    [Fact]
    public async Task Get_watch_prints_a_change_as_it_happens()
    {
        var (api, kubectl) = await StartWithManifestAsync();
        await using var _ = api;
        using var __ = kubectl;
        using var watch = kubectl.Start("get svc web -w");
        var output = new System.Text.StringBuilder();
        var reader = Task.Run(async () =>
        {
            string? line;
            while ((line = await watch.StandardOutput.ReadLineAsync()) is not null)
            {
                lock (output)
                {
                    output.AppendLine(line);
                }
            }
        });
        string Text()
        {
            lock (output)
            {
                return output.ToString();
            }
        }

        try
        {
            await Eventually.WaitForAsync(() => Task.FromResult(Text().Contains("<pending>")), "the initial row");
            await kubectl.OkAsync("patch svc web --subresource=status --type=merge -p {\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"192.0.2.5\"}]}}}");
            await Eventually.WaitForAsync(() => Task.FromResult(Text().Contains("192.0.2.5")), "the watched change");
        }
        finally
        {
            watch.Kill(entireProcessTree: true);
            await watch.WaitForExitAsync(TestContext.Current.CancellationToken);
            await reader;
        }

        Assert.Matches(@"web\s+LoadBalancer\s+10\.96\.\S+\s+192\.0\.2\.5\s+80:3\d{4}/TCP", Text());
    }

    [Fact]
    public async Task Patch_label_wait_and_delete_work()
    {
        var (api, kubectl) = await StartWithManifestAsync();
        await using var _ = api;
        using var __ = kubectl;

        var patched = await kubectl.OkAsync("patch svc web -p {\"spec\":{\"externalTrafficPolicy\":\"Local\"}}");
        var labelled = await kubectl.OkAsync("label svc web team=net");
        var statusPatched = await kubectl.OkAsync("patch svc web --subresource=status --type=merge -p {\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"192.0.2.1\"}]}}}");
        var waited = await kubectl.OkAsync("wait svc/web --for=jsonpath={.status.loadBalancer.ingress[0].ip}=192.0.2.1 --timeout=30s");
        var shown = await kubectl.OkAsync("get svc --show-labels");
        var deleted = await kubectl.OkAsync("delete svc web");
        var afterDelete = await kubectl.RunAsync("get svc web");
        var poolDeleted = await kubectl.OkAsync("delete ipaddresspool lab-pool -n metallb-system");

        Assert.Contains("service/web patched", patched);
        Assert.Contains("service/web labeled", labelled);
        Assert.Contains("service/web patched", statusPatched);
        Assert.Contains("service/web condition met", waited);
        Assert.Contains("team=net", shown);
        Assert.Contains("service \"web\" deleted", deleted);
        Assert.NotEqual(0, afterDelete.ExitCode);
        Assert.Contains("services \"web\" not found", afterDelete.Stderr);
        Assert.Contains("ipaddresspool.metallb.io \"lab-pool\" deleted", poolDeleted);
    }

    [Fact]
    public async Task Get_with_sort_by_and_all_namespaces_nodes_and_custom_columns_work()
    {
        var (api, kubectl) = await StartWithManifestAsync();
        await using var _ = api;
        using var __ = kubectl;
        await kubectl.OkAsync("apply -f -", """
            apiVersion: v1
            kind: Node
            metadata:
              name: node-a
              labels: {node-role.kubernetes.io/control-plane: ""}
            status:
              conditions: [{type: Ready, status: "True"}]
              addresses: [{type: InternalIP, address: 192.0.2.100}]
              nodeInfo: {kubeletVersion: v1.32.0}

            """);

        var sorted = Lines(await kubectl.OkAsync("get svc -A --sort-by=.metadata.name"));
        var nodes = Lines(await kubectl.OkAsync("get nodes -o wide"));
        var columns = await kubectl.OkAsync("get svc web -o custom-columns=NAME:.metadata.name,IPS:.spec.clusterIPs");

        Assert.Contains("kubernetes", sorted[1]);
        Assert.Contains("web", sorted[2]);
        Assert.Matches(@"^node-a Ready control-plane \S+ v1\.32\.0 192\.0\.2\.100", Squash(nodes[1]));
        Assert.Contains("web", columns);
    }
}
