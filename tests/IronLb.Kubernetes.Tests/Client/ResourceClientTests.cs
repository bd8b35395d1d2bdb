using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Informers;
using IronLb.Kubernetes.Tests.Support;
using k8s.Models;

namespace IronLb.Kubernetes.Tests.Client;

/// <summary>The typed client's verbs against KubeSim over HTTP: what each sends, and what "not found" becomes.</summary>
public sealed class ResourceClientTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Create_get_patch_list_and_delete_a_namespaced_object()
    {
        await using var sim = await Sim.StartAsync(TimeProvider.System);
        var pods = new ResourceClient<V1Pod>(sim.Connection, ResourceTypes.Pods);

        Assert.Null(await pods.GetAsync("default", "speaker-x", Token));
        var created = await pods.CreateAsync(Pod("speaker-x", "speaker"), Token);
        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));
        await pods.CreateAsync(Pod("other", "web"), Token);

        await pods.PatchMetadataAsync("default", "speaker-x", new V1Pod { Metadata = new V1ObjectMeta { Annotations = new Dictionary<string, string> { ["note"] = "patched" } } }, Token);
        var read = await pods.GetAsync("default", "speaker-x", Token);
        Assert.Equal("patched", read!.Metadata.Annotations["note"]);
        Assert.Equal("speaker", read.Metadata.Labels["app"]);

        var speakers = await pods.ListAsync("default", "app=speaker", Token);
        Assert.Equal(["speaker-x"], speakers.Items.Select(p => p.Metadata.Name));
        Assert.False(string.IsNullOrEmpty(speakers.ResourceVersion));

        Assert.True(await pods.DeleteAsync("default", "speaker-x", Token));
        Assert.False(await pods.DeleteAsync("default", "speaker-x", Token));
        Assert.Null(await pods.GetAsync("default", "speaker-x", Token));
    }

    [Fact]
    public async Task Status_patches_touch_the_status_subresource_of_a_cluster_scoped_object()
    {
        await using var sim = await Sim.StartAsync(TimeProvider.System);
        var nodes = new ResourceClient<V1Node>(sim.Connection, ResourceTypes.Nodes);
        await nodes.CreateAsync(new V1Node { Metadata = new V1ObjectMeta { Name = "cwn1" } }, Token);

        var status = new V1NodeStatus { Addresses = [new V1NodeAddress { Type = "InternalIP", Address = "192.0.2.11" }] };
        await nodes.PatchStatusAsync(null, "cwn1", new V1Node { Status = status }, Token);

        var node = await nodes.GetAsync(null, "cwn1", Token);
        Assert.Equal("192.0.2.11", Assert.Single(node!.Status.Addresses).Address);
    }

    [Fact]
    public async Task Apply_creates_then_updates_and_replace_is_a_compare_and_swap()
    {
        await using var sim = await Sim.StartAsync(TimeProvider.System);
        var slices = new ResourceClient<V1EndpointSlice>(sim.Connection, ResourceTypes.EndpointSlices);
        var slice = new V1EndpointSlice
        {
            Metadata = new V1ObjectMeta { Name = "web-1", NamespaceProperty = "default", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = "web" } },
            AddressType = "IPv4",
            Endpoints = [new V1Endpoint { Addresses = ["192.0.2.20"], NodeName = "cwn1" }],
        };

        await slices.ApplyAsync(slice, "test", Token);
        slice.Endpoints = [new V1Endpoint { Addresses = ["192.0.2.21"], NodeName = "cwn2" }];
        var applied = await slices.ApplyAsync(slice, "test", Token);
        Assert.Equal("cwn2", Assert.Single(applied.Endpoints).NodeName);

        var first = (await slices.GetAsync("default", "web-1", Token))!;
        var second = (await slices.GetAsync("default", "web-1", Token))!;
        first.Metadata.Labels["touched"] = "first";
        await slices.ReplaceAsync(first, Token);
        second.Metadata.Labels["touched"] = "second";
        var conflict = await Assert.ThrowsAsync<KubeApiException>(() => slices.ReplaceAsync(second, Token));
        Assert.True(conflict.IsConflict);
    }

    private static V1Pod Pod(string name, string app) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Labels = new Dictionary<string, string> { ["app"] = app } },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "example" }] },
    };
}
