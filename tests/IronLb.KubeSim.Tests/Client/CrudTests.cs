using System.Net;
using IronLb.KubeSim.Tests.Support;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace IronLb.KubeSim.Tests.Client;

public sealed class CrudTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static V1ConfigMap ConfigMap(string name, string value = "1") =>
        new() { Metadata = new V1ObjectMeta { Name = name }, Data = new Dictionary<string, string> { ["k"] = value } };

    [Fact]
    public async Task Create_stamps_uid_creation_time_and_a_resource_version_and_get_returns_the_same()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);

        var created = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a"), "default", cancellationToken: Ct);
        var read = await client.CoreV1.ReadNamespacedConfigMapAsync("a", "default", cancellationToken: Ct);

        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));
        Assert.NotNull(created.Metadata.CreationTimestamp);
        Assert.Equal(api.ResourceVersion.ToString(), created.Metadata.ResourceVersion);
        Assert.Equal(created.Metadata.ResourceVersion, read.Metadata.ResourceVersion);
        Assert.Equal("1", read.Data["k"]);
    }

    [Fact]
    public async Task Create_twice_is_409_AlreadyExists_with_a_Status_body()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a"), "default", cancellationToken: Ct);

        var e = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a"), "default", cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.Conflict, e.Response.StatusCode);
        var status = Status(e);
        Assert.Equal("AlreadyExists", status.Reason);
        Assert.Equal("configmaps \"a\" already exists", status.Message);
        Assert.Equal(409, status.Code);
    }

    [Fact]
    public async Task Replace_with_a_stale_resource_version_is_409_Conflict()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        var first = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a"), "default", cancellationToken: Ct);
        first.Data["k"] = "2";
        await client.CoreV1.ReplaceNamespacedConfigMapAsync(first, "a", "default", cancellationToken: Ct);

        first.Data["k"] = "3";
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ReplaceNamespacedConfigMapAsync(first, "a", "default", cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.Conflict, e.Response.StatusCode);
        var status = Status(e);
        Assert.Equal("Operation cannot be fulfilled on configmaps \"a\": the object has been modified; please apply your changes to the latest version and try again", status.Message);
        Assert.Equal("Conflict", status.Reason);
    }

    [Fact]
    public async Task Rbac_names_are_path_segments_so_colons_are_allowed_and_slashes_are_not()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        var role = await client.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole { Metadata = new V1ObjectMeta { Name = "metallb-system:controller" } });
        Assert.Equal("metallb-system:controller", role.Metadata.Name);
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => client.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole { Metadata = new V1ObjectMeta { Name = "a%b" } }));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, e.Response.StatusCode);
    }

    [Fact]
    public async Task Missing_objects_and_missing_namespaces_are_404_NotFound()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);

        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ReadNamespacedServiceAsync("nope", "default", cancellationToken: Ct));
        var noNamespace = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a"), "nowhere", cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.NotFound, missing.Response.StatusCode);
        Assert.Equal("services \"nope\" not found", Status(missing).Message);
        Assert.Equal(HttpStatusCode.NotFound, noNamespace.Response.StatusCode);
        Assert.Equal("namespaces \"nowhere\" not found", Status(noNamespace).Message);
    }

    [Fact]
    public async Task A_write_that_changes_nothing_keeps_the_resource_version()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        var created = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a"), "default", cancellationToken: Ct);
        var before = api.ResourceVersion;

        var replaced = await client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "a", "default", cancellationToken: Ct);
        var patched = await client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("{\"data\":{\"k\":\"1\"}}", V1Patch.PatchType.MergePatch), "a", "default", cancellationToken: Ct);

        Assert.Equal(created.Metadata.ResourceVersion, replaced.Metadata.ResourceVersion);
        Assert.Equal(created.Metadata.ResourceVersion, patched.Metadata.ResourceVersion);
        Assert.Equal(before, api.ResourceVersion);
    }

    [Fact]
    public async Task Events_get_generated_names_and_are_found_by_involved_object_field_selectors_in_both_APIs()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        var evt = new Corev1Event
        {
            Metadata = new V1ObjectMeta { GenerateName = "web." },
            InvolvedObject = new V1ObjectReference { Kind = "Service", Name = "web", NamespaceProperty = "default", Uid = "u1" },
            Reason = "IPAllocated",
            Message = "Assigned IP [\"192.0.2.1\"]",
            Type = "Normal",
            Source = new V1EventSource { Component = "metallb-controller" },
            FirstTimestamp = DateTime.UtcNow,
            LastTimestamp = DateTime.UtcNow,
            Count = 1,
        };
        var other = new Corev1Event
        {
            Metadata = new V1ObjectMeta { GenerateName = "db." },
            InvolvedObject = new V1ObjectReference { Kind = "Service", Name = "db", NamespaceProperty = "default" },
            Reason = "x",
            Message = "y",
        };

        var created = await client.CoreV1.CreateNamespacedEventAsync(evt, "default", cancellationToken: Ct);
        await client.CoreV1.CreateNamespacedEventAsync(other, "default", cancellationToken: Ct);
        var found = await client.CoreV1.ListNamespacedEventAsync("default",
            fieldSelector: "involvedObject.name=web,involvedObject.namespace=default,involvedObject.kind=Service,involvedObject.uid=u1", cancellationToken: Ct);
        var v1 = await client.EventsV1.ReadNamespacedEventAsync(created.Metadata.Name, "default", cancellationToken: Ct);

        Assert.StartsWith("web.", created.Metadata.Name);
        Assert.Equal(9, created.Metadata.Name.Length);
        Assert.Equal(created.Metadata.Name, Assert.Single(found.Items).Metadata.Name);
        Assert.Equal("Assigned IP [\"192.0.2.1\"]", v1.Note);
        Assert.Equal("web", v1.Regarding.Name);
        Assert.Equal("metallb-controller", v1.DeprecatedSource.Component);
    }

    [Fact]
    public async Task Unsupported_field_selectors_are_400()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);

        var e = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ListNamespacedConfigMapAsync("default", fieldSelector: "data.k=1", cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.BadRequest, e.Response.StatusCode);
        Assert.Contains("field label not supported: data.k", e.Response.Content);
    }

    [Fact]
    public async Task Label_selectors_support_equality_sets_and_existence()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        foreach (var (name, labels) in new[] { ("a", "app=web,tier=front"), ("b", "app=db"), ("c", "tier=back") })
        {
            var cm = ConfigMap(name);
            cm.Metadata.Labels = labels.Split(',').Select(l => l.Split('=')).ToDictionary(p => p[0], p => p[1]);
            await client.CoreV1.CreateNamespacedConfigMapAsync(cm, "default", cancellationToken: Ct);
        }

        async Task<string> Names(string selector) =>
            string.Join(",", (await client.CoreV1.ListNamespacedConfigMapAsync("default", labelSelector: selector, cancellationToken: Ct)).Items.Select(i => i.Metadata.Name));

        Assert.Equal("a", await Names("app=web"));
        Assert.Equal("a,b", await Names("app"));
        Assert.Equal("c", await Names("!app"));
        Assert.Equal("a,b", await Names("app in (web,db)"));
        Assert.Equal("b,c", await Names("tier notin (front)"));
        Assert.Equal("b", await Names("app,app!=web"));
    }

    [Fact]
    public async Task Deleting_an_object_with_finalizers_marks_it_and_removing_the_last_finalizer_deletes_it()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        var cm = ConfigMap("a");
        cm.Metadata.Finalizers = ["example.com/hold"];
        await client.CoreV1.CreateNamespacedConfigMapAsync(cm, "default", cancellationToken: Ct);

        await client.CoreV1.DeleteNamespacedConfigMapAsync("a", "default", cancellationToken: Ct);
        var marked = await client.CoreV1.ReadNamespacedConfigMapAsync("a", "default", cancellationToken: Ct);
        marked.Metadata.Finalizers = [];
        await client.CoreV1.ReplaceNamespacedConfigMapAsync(marked, "a", "default", cancellationToken: Ct);
        var gone = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ReadNamespacedConfigMapAsync("a", "default", cancellationToken: Ct));

        Assert.NotNull(marked.Metadata.DeletionTimestamp);
        Assert.Equal(HttpStatusCode.NotFound, gone.Response.StatusCode);
    }

    [Fact]
    public async Task Delete_honours_uid_preconditions()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a"), "default", cancellationToken: Ct);

        var e = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.DeleteNamespacedConfigMapAsync("a", "default",
            new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = "not-it" } }, cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.Conflict, e.Response.StatusCode);
        Assert.Contains("Precondition failed: UID in precondition: not-it", e.Response.Content);
    }

    [Fact]
    public async Task Deleting_a_namespace_removes_what_it_contains()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "lab" } }, cancellationToken: Ct);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a"), "lab", cancellationToken: Ct);

        await client.CoreV1.DeleteNamespaceAsync("lab", cancellationToken: Ct);

        Assert.DoesNotContain((await client.CoreV1.ListConfigMapForAllNamespacesAsync(cancellationToken: Ct)).Items, c => c.Metadata.NamespaceProperty == "lab");
        Assert.DoesNotContain("lab", (await client.CoreV1.ListNamespaceAsync(cancellationToken: Ct)).Items.Select(n => n.Metadata.Name));
    }

    [Fact]
    public async Task Leader_election_with_a_lease_lock_acquires_the_lease()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        var leaseLock = new k8s.LeaderElection.ResourceLock.LeaseLock(client, "kube-system", "ironlb-controller", "node-a");
        var elector = new k8s.LeaderElection.LeaderElector(new k8s.LeaderElection.LeaderElectionConfig(leaseLock)
        {
            LeaseDuration = TimeSpan.FromSeconds(3),
            RenewDeadline = TimeSpan.FromSeconds(2),
            RetryPeriod = TimeSpan.FromMilliseconds(200),
        });
        var leading = new TaskCompletionSource();
        elector.OnStartedLeading += () => leading.TrySetResult();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var run = elector.RunUntilLeadershipLostAsync(stop.Token);
        await leading.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync("ironlb-controller", "kube-system", cancellationToken: Ct);
        await stop.CancelAsync();
        try
        {
            await run;
        }
        catch (OperationCanceledException)
        {
            // Either ending is fine: we only asked it to stop.
        }

        Assert.Equal("node-a", lease.Spec.HolderIdentity);
    }

    internal static V1Status Status(HttpOperationException e) => KubernetesJson.Deserialize<V1Status>(e.Response.Content);
}
