namespace IronLb.Deploy.Tests;

/// <summary>deploy/ applied with the real kubectl to KubeSim, the in-memory API server the other suites use.</summary>
[Trait("Category", Category.Kubectl)]
public sealed class ApplyTests
{
    [Fact]
    public async Task Apply_k_installs_every_rendered_object_and_a_second_apply_changes_nothing()
    {
        Requirements.Kubectl();
        var (_, objects) = await Rendered.RenderAsync();
        await using var api = await KubeSim.KubeSim.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var kubectl = new Kubectl(api.Kubeconfig);

        var first = await kubectl.OkAsync("apply", "-k", RepoPaths.Deploy);
        Assert.Equal(objects.Count, Lines(first).Count(l => l.EndsWith(" created", StringComparison.Ordinal)));

        foreach (var o in objects)
        {
            var args = new List<string> { "get", $"{o.Kind}.{Group(o.ApiVersion)}", o.Name, "-o", "name" };
            if (o.Namespace is not null)
            {
                args.AddRange(["-n", o.Namespace]);
            }

            Assert.NotEmpty((await kubectl.OkAsync([.. args])).Trim());
        }

        var second = await kubectl.OkAsync("apply", "-k", RepoPaths.Deploy);
        Assert.All(Lines(second), l => Assert.EndsWith(" unchanged", l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Membership_secret_step_from_install_md_creates_the_key_once()
    {
        Requirements.Kubectl();
        await using var api = await KubeSim.KubeSim.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var kubectl = new Kubectl(api.Kubeconfig);
        await kubectl.OkAsync("apply", "-k", RepoPaths.Deploy);

        string[] create = ["-n", "metallb-system", "create", "secret", "generic", "ironlb-memberlist", $"--from-literal=secretkey={Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))}"];
        await kubectl.OkAsync(create);
        var key = await kubectl.OkAsync("-n", "metallb-system", "get", "secret", "ironlb-memberlist", "-o", "jsonpath={.data.secretkey}");

        // Running the step again cannot replace the key, and neither can re-applying deploy/.
        var again = await kubectl.RunAsync(create);
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("already exists", again.Stderr, StringComparison.Ordinal);
        await kubectl.OkAsync("apply", "-k", RepoPaths.Deploy);
        Assert.Equal(key, await kubectl.OkAsync("-n", "metallb-system", "get", "secret", "ironlb-memberlist", "-o", "jsonpath={.data.secretkey}"));
    }

    [Fact]
    public async Task Rendered_text_applies_from_stdin()
    {
        Requirements.Kubectl();
        var (text, objects) = await Rendered.RenderAsync();
        await using var api = await KubeSim.KubeSim.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var kubectl = new Kubectl(api.Kubeconfig);

        var output = await kubectl.OkWithInputAsync(text, "apply", "-f", "-");
        Assert.Equal(objects.Count, Lines(output).Count);
        var workloads = await kubectl.OkAsync("get", "deployments,daemonsets", "-n", "metallb-system", "-o", "name");
        Assert.Equal(["daemonset.apps/ironlb-speaker", "deployment.apps/ironlb-controller"], Lines(workloads).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Get_ipaddresspools_shows_assigned_and_available_addresses()
    {
        Requirements.Kubectl();
        await using var api = await KubeSim.KubeSim.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var kubectl = new Kubectl(api.Kubeconfig);
        await kubectl.OkAsync("apply", "-k", RepoPaths.Deploy);

        const string pool = """
            apiVersion: metallb.io/v1beta1
            kind: IPAddressPool
            metadata:
              name: external
              namespace: metallb-system
            spec:
              autoAssign: false
              addresses:
                - 192.0.2.184/29
                - 2001:db8:3a::/64
            """;
        await kubectl.OkWithInputAsync(pool, "apply", "-f", "-");
        // What the controller writes (a merge patch of the status subresource), here by hand.
        await kubectl.OkAsync(
            "patch", "ipaddresspool", "external", "-n", "metallb-system", "--subresource=status", "--type=merge", "-p",
            """{"status":{"assignedIPv4":3,"availableIPv4":5,"assignedIPv6":3,"availableIPv6":9223372036854775807}}""");

        var table = Lines(await kubectl.OkAsync("get", "ipaddresspools", "-n", "metallb-system"));
        Assert.Equal(2, table.Count);
        Assert.Equal(
            ["NAME", "AUTO", "ASSIGN", "AVOID", "BUGGY", "IPS", "ADDRESSES", "ASSIGNED", "IPV4", "AVAILABLE", "IPV4", "ASSIGNED", "IPV6", "AVAILABLE", "IPV6"],
            Words(table[0]));
        Assert.Equal(
            ["external", "false", "false", """["192.0.2.184/29","2001:db8:3a::/64"]""", "3", "5", "3", "9223372036854775807"],
            Words(table[1]));
    }

    [Fact]
    public async Task A_servicel2status_keeps_its_conditions_and_metallbs_objects_without_them_stay_valid()
    {
        Requirements.Kubectl();
        await using var api = await KubeSim.KubeSim.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var kubectl = new Kubectl(api.Kubeconfig);
        await kubectl.OkAsync("apply", "-k", RepoPaths.Deploy);

        // A speaker creates the object, then writes its status with a merge patch of the subresource.
        foreach (var name in new[] { "l2-metallb", "l2-ironlb" })
        {
            await kubectl.OkWithInputAsync(
                $"{{\"apiVersion\":\"metallb.io/v1beta1\",\"kind\":\"ServiceL2Status\",\"metadata\":{{\"name\":\"{name}\",\"namespace\":\"metallb-system\"}}}}",
                "create", "-f", "-");
        }

        // MetalLB's status, as its speakers write it: no conditions.
        await kubectl.OkAsync(
            "patch", "servicel2status", "l2-metallb", "-n", "metallb-system", "--subresource=status", "--type=merge", "-p",
            """{"status":{"node":"cwn1","serviceName":"web","serviceNamespace":"default","interfaces":[{"name":"eno2"}]}}""");
        await kubectl.OkAsync(
            "patch", "servicel2status", "l2-ironlb", "-n", "metallb-system", "--subresource=status", "--type=merge", "-p",
            """{"status":{"node":"cwn2","serviceName":"dns","serviceNamespace":"default","conditions":[{"type":"AddressConflict","status":"True","reason":"AddressInUse","message":"192.0.2.40 on eno2 is in use by 02:42:ac:11:00:02; not announced","lastTransitionTime":"2026-12-06T22:00:00Z"}]}}""");

        Assert.Equal("cwn1", await kubectl.OkAsync("get", "servicel2status", "l2-metallb", "-n", "metallb-system", "-o", "jsonpath={.status.node}"));
        Assert.Equal("", await kubectl.OkAsync("get", "servicel2status", "l2-metallb", "-n", "metallb-system", "-o", "jsonpath={.status.conditions}"));
        var condition = await kubectl.OkAsync(
            "get", "servicel2status", "l2-ironlb", "-n", "metallb-system", "-o",
            "jsonpath={.status.conditions[0].type}/{.status.conditions[0].status}/{.status.conditions[0].reason}/{.status.conditions[0].lastTransitionTime}/{.status.conditions[0].message}");
        Assert.Equal("AddressConflict/True/AddressInUse/2026-12-06T22:00:00Z/192.0.2.40 on eno2 is in use by 02:42:ac:11:00:02; not announced", condition);

        // A condition without its required fields is refused, as the API server refuses a malformed metav1.Condition.
        var refused = await kubectl.RunAsync(
        [
            "patch", "servicel2status", "l2-ironlb", "-n", "metallb-system", "--subresource=status", "--type=merge", "-p",
            """{"status":{"conditions":[{"type":"AddressConflict","status":"Maybe"}]}}""",
        ]);
        Assert.NotEqual(0, refused.ExitCode);
    }

    private static List<string> Lines(string text) =>
        [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private static string[] Words(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static string Group(string apiVersion) => apiVersion.Contains('/', StringComparison.Ordinal) ? apiVersion[..apiVersion.IndexOf('/', StringComparison.Ordinal)] : "";
}
