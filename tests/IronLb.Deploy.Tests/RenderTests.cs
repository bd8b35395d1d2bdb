namespace IronLb.Deploy.Tests;

/// <summary>`kubectl kustomize deploy` renders, and renders exactly the objects IronLB installs.</summary>
[Trait("Category", Category.Kubectl)]
public sealed class RenderTests
{
    private const string Ns = "metallb-system";

    private static readonly string[] ExpectedCrds =
    [
        "bfdprofiles", "bgpadvertisements", "bgppeers", "communities", "configurationstates", "ipaddresspools",
        "l2advertisements", "servicebgpstatuses", "servicel2statuses",
    ];

    [Fact]
    public async Task Kustomize_renders_exactly_the_expected_objects()
    {
        var (_, objects) = await Rendered.RenderAsync();

        var expected = new List<string>
        {
            "Namespace v1 -/metallb-system",
            "ServiceAccount v1 metallb-system/ironlb-controller",
            "ServiceAccount v1 metallb-system/ironlb-speaker",
            "ClusterRole rbac.authorization.k8s.io/v1 -/ironlb-controller",
            "ClusterRole rbac.authorization.k8s.io/v1 -/ironlb-speaker",
            "ClusterRoleBinding rbac.authorization.k8s.io/v1 -/ironlb-controller",
            "ClusterRoleBinding rbac.authorization.k8s.io/v1 -/ironlb-speaker",
            "Role rbac.authorization.k8s.io/v1 metallb-system/ironlb-controller",
            "Role rbac.authorization.k8s.io/v1 metallb-system/ironlb-speaker",
            "RoleBinding rbac.authorization.k8s.io/v1 metallb-system/ironlb-controller",
            "RoleBinding rbac.authorization.k8s.io/v1 metallb-system/ironlb-speaker",
            "Deployment apps/v1 metallb-system/ironlb-controller",
            "DaemonSet apps/v1 metallb-system/ironlb-speaker",
        };
        expected.AddRange(ExpectedCrds.Select(c => $"CustomResourceDefinition apiextensions.k8s.io/v1 -/{c}.metallb.io"));

        Assert.Equal(expected.Order(StringComparer.Ordinal), objects.Select(o => o.ToString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Ipaddresspools_renders_with_the_usage_columns_after_metallbs()
    {
        // The schemas themselves are compared with MetalLB's in CrdSchemaTests; this is what kustomize hands the cluster.
        var (_, objects) = await Rendered.RenderAsync();
        var pools = objects.Single("CustomResourceDefinition", "ipaddresspools.metallb.io");
        var version = Rendered.Seq(pools.Node, "spec", "versions").Single();
        var columns = Rendered.Seq(version, "additionalPrinterColumns")
            .Select(c => (Rendered.Scalar(c, "name"), Rendered.Scalar(c, "jsonPath"), Rendered.Scalar(c, "type")))
            .ToList();
        Assert.Equal(
            [
                ("Auto Assign", ".spec.autoAssign", "boolean"),
                ("Avoid Buggy IPs", ".spec.avoidBuggyIPs", "boolean"),
                ("Addresses", ".spec.addresses", "string"),
                ("Assigned IPv4", ".status.assignedIPv4", "integer"),
                ("Available IPv4", ".status.availableIPv4", "integer"),
                ("Assigned IPv6", ".status.assignedIPv6", "integer"),
                ("Available IPv6", ".status.availableIPv6", "integer"),
            ],
            columns);

        // The schema is MetalLB's: the columns point at status fields it already has.
        var status = Rendered.At(version, "schema", "openAPIV3Schema", "properties", "status", "properties");
        Assert.NotNull(status);
        foreach (var field in new[] { "assignedIPv4", "availableIPv4", "assignedIPv6", "availableIPv6" })
        {
            Assert.Equal("integer", Rendered.Scalar(status, field, "type"));
        }
    }

    [Fact]
    public async Task Flux_never_prunes_the_crds_or_the_namespace()
    {
        // Removing IronLB from a GitOps folder, or reverting a migration, must not delete the pools with their CRDs.
        var (_, objects) = await Rendered.RenderAsync();
        var kept = objects.Where(o => o.Kind is "CustomResourceDefinition" or "Namespace").ToList();
        Assert.Equal(ExpectedCrds.Length + 1, kept.Count);
        Assert.All(kept, o => Assert.Equal("disabled", Rendered.Scalar(o.Node, "metadata", "annotations", "kustomize.toolkit.fluxcd.io/prune")));
    }

    [Fact]
    public async Task Namespace_allows_the_privileged_speaker()
    {
        var (_, objects) = await Rendered.RenderAsync();
        var ns = objects.Single("Namespace", Ns);
        foreach (var mode in new[] { "enforce", "audit", "warn" })
        {
            Assert.Equal("privileged", Rendered.Scalar(ns.Node, "metadata", "labels", $"pod-security.kubernetes.io/{mode}"));
        }
    }

    [Fact]
    public async Task Controller_runs_two_leader_elected_locked_down_replicas()
    {
        var (_, objects) = await Rendered.RenderAsync();
        var deployment = objects.Single("Deployment", "ironlb-controller");
        var pod = Rendered.At(deployment.Node, "spec", "template", "spec")!;
        var container = Rendered.Container(deployment);

        Assert.Equal("2", Rendered.Scalar(deployment.Node, "spec", "replicas"));
        Assert.Equal("ironlb-controller", Rendered.Scalar(pod, "serviceAccountName"));
        Assert.Null(Rendered.At(pod, "hostNetwork"));
        Assert.Equal(["controller", "--leader-elect", "--log-level=info"], Rendered.Strings(container, "args"));
        Assert.Equal("true", Rendered.Scalar(pod, "securityContext", "runAsNonRoot"));
        Assert.Equal("false", Rendered.Scalar(container, "securityContext", "allowPrivilegeEscalation"));
        Assert.Equal("true", Rendered.Scalar(container, "securityContext", "readOnlyRootFilesystem"));
        Assert.Equal(["ALL"], Rendered.Strings(container, "securityContext", "capabilities", "drop"));
        Assert.Empty(Rendered.Seq(container, "securityContext", "capabilities", "add"));
        AssertEnvFromField(container, "METALLB_NAMESPACE", "metadata.namespace");
        AssertEnvFromField(container, "METALLB_POD_NAME", "metadata.name");
        AssertEnvFromField(container, "METALLB_HOST", "status.podIP"); // metrics and health on the pod IP, not every interface
        AssertPort(container, "health", "17472", "TCP");
        AssertPort(container, "metrics", "9120", "TCP");
        AssertProbes(container);
        AssertRequestsWithoutCpuLimit(container);
    }

    [Fact]
    public async Task Speaker_runs_on_every_node_with_host_network_and_only_net_raw()
    {
        var (_, objects) = await Rendered.RenderAsync();
        var daemonSet = objects.Single("DaemonSet", "ironlb-speaker");
        var pod = Rendered.At(daemonSet.Node, "spec", "template", "spec")!;
        var container = Rendered.Container(daemonSet);

        Assert.Equal("ironlb-speaker", Rendered.Scalar(pod, "serviceAccountName"));
        Assert.Equal("true", Rendered.Scalar(pod, "hostNetwork"));
        Assert.Equal(["speaker", "--node=$(METALLB_NODE_NAME)", "--log-level=info"], Rendered.Strings(container, "args"));
        Assert.Equal(["ALL"], Rendered.Strings(container, "securityContext", "capabilities", "drop"));
        Assert.Equal(["NET_RAW", "NET_ADMIN", "BPF"], Rendered.Strings(container, "securityContext", "capabilities", "add"));
        Assert.Null(Rendered.At(container, "securityContext", "privileged"));
        Assert.Equal("false", Rendered.Scalar(container, "securityContext", "allowPrivilegeEscalation"));
        Assert.Equal("true", Rendered.Scalar(container, "securityContext", "readOnlyRootFilesystem"));
        AssertEnvFromField(container, "METALLB_NODE_NAME", "spec.nodeName");
        AssertEnvFromField(container, "METALLB_POD_NAME", "metadata.name");
        AssertEnvFromField(container, "METALLB_NAMESPACE", "metadata.namespace");
        AssertEnvFromField(container, "METALLB_HOST", "status.hostIP"); // metrics and health on the node's address only
        AssertPort(container, "memberlist", "7947", "UDP");
        AssertProbes(container);
        AssertRequestsWithoutCpuLimit(container);

        var tolerations = Rendered.Seq(pod, "tolerations")
            .Select(t => (Rendered.Scalar(t, "key"), Rendered.Scalar(t, "operator"), Rendered.Scalar(t, "effect")))
            .ToList();
        Assert.Contains(("node-role.kubernetes.io/control-plane", "Exists", "NoSchedule"), tolerations);

        var secretVolume = Rendered.Seq(pod, "volumes").Single(v => Rendered.At(v, "secret") is not null);
        Assert.Equal("ironlb-memberlist", Rendered.Scalar(secretVolume, "secret", "secretName"));
        var mount = Rendered.Seq(container, "volumeMounts").Single(m => Rendered.Scalar(m, "name") == Rendered.Scalar(secretVolume, "name"));
        Assert.Equal("true", Rendered.Scalar(mount, "readOnly"));
    }

    [Fact]
    public async Task Membership_secret_is_not_generated_on_apply()
    {
        // A key generated by kustomize would change on every apply and split the membership; it is created once
        // by the installer (docs/install.md), so deploy/ must not contain one.
        var (_, objects) = await Rendered.RenderAsync();
        Assert.DoesNotContain(objects, o => o.Kind == "Secret");
    }

    [Fact]
    public async Task No_container_sets_a_runtime_knob_that_only_a_jit_has()
    {
        // The image's binary is NativeAOT (deploy/Dockerfile): there is no JIT, no tiering and no ReadyToRun code to
        // tune, so such a variable would only suggest a knob that does nothing. GC and thread pool settings do apply.
        var (_, objects) = await Rendered.RenderAsync();
        var workloads = objects.Where(o => o.Kind is "Deployment" or "DaemonSet").ToList();
        Assert.Equal(2, workloads.Count);
        foreach (var workload in workloads)
        {
            var names = Rendered.Seq(Rendered.Container(workload), "env").Select(e => Rendered.Scalar(e, "name") ?? "").ToList();
            Assert.NotEmpty(names);
            var jitOnly = names.Where(IsJitOnly).ToList();
            Assert.True(jitOnly.Count == 0, $"{workload.Name} sets {string.Join(", ", jitOnly)}, which a NativeAOT binary ignores");
        }
    }

    /// <summary>Settings (after DOTNET_ or COMPlus_) the runtime reads only when it compiles code at run time.</summary>
    private static readonly string[] JitOnlySettings = ["TieredCompilation", "TC_", "TieredPGO", "ReadyToRun", "OSR_", "Jit", "ZapDisable"];

    private static bool IsJitOnly(string name)
    {
        var setting = name.StartsWith("DOTNET_", StringComparison.OrdinalIgnoreCase) ? name["DOTNET_".Length..]
            : name.StartsWith("COMPlus_", StringComparison.OrdinalIgnoreCase) ? name["COMPlus_".Length..]
            : null;
        return setting is not null
            && JitOnlySettings.Any(p => setting.StartsWith(p, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Both_components_use_the_one_image()
    {
        var (_, objects) = await Rendered.RenderAsync();
        var images = objects.Where(o => o.Kind is "Deployment" or "DaemonSet")
            .Select(o => Rendered.Scalar(Rendered.Container(o), "image"))
            .Distinct()
            .ToList();
        Assert.Single(images);
        var dockerfile = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Deploy, "Dockerfile"), TestContext.Current.CancellationToken);
        Assert.Contains("ENTRYPOINT [\"ironlb\"]", dockerfile, StringComparison.Ordinal);
        Assert.Contains("USER 65534", dockerfile, StringComparison.Ordinal);
    }

    private static void AssertEnvFromField(YamlDotNet.RepresentationModel.YamlNode container, string name, string fieldPath)
    {
        var env = Rendered.Seq(container, "env").SingleOrDefault(e => Rendered.Scalar(e, "name") == name);
        Assert.True(env is not null, $"env {name} missing");
        Assert.Equal(fieldPath, Rendered.Scalar(env, "valueFrom", "fieldRef", "fieldPath"));
    }

    private static void AssertPort(YamlDotNet.RepresentationModel.YamlNode container, string name, string port, string protocol)
    {
        var entry = Rendered.Seq(container, "ports").SingleOrDefault(p => Rendered.Scalar(p, "name") == name);
        Assert.True(entry is not null, $"port {name} missing");
        Assert.Equal(port, Rendered.Scalar(entry, "containerPort"));
        Assert.Equal(protocol, Rendered.Scalar(entry, "protocol"));
    }

    private static void AssertProbes(YamlDotNet.RepresentationModel.YamlNode container)
    {
        Assert.Equal("/healthz", Rendered.Scalar(container, "livenessProbe", "httpGet", "path"));
        Assert.Equal("health", Rendered.Scalar(container, "livenessProbe", "httpGet", "port"));
        Assert.Equal("/readyz", Rendered.Scalar(container, "readinessProbe", "httpGet", "path"));
        Assert.Equal("health", Rendered.Scalar(container, "readinessProbe", "httpGet", "port"));
    }

    private static void AssertRequestsWithoutCpuLimit(YamlDotNet.RepresentationModel.YamlNode container)
    {
        Assert.NotNull(Rendered.Scalar(container, "resources", "requests", "cpu"));
        Assert.NotNull(Rendered.Scalar(container, "resources", "requests", "memory"));
        Assert.Null(Rendered.At(container, "resources", "limits", "cpu"));
    }
}
