using System.Collections.Immutable;
using IronLb.Core.Allocation;
using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Crds;
using IronLb.Kubernetes.Informers;
using IronLb.Kubernetes.Status;
using IronLb.Kubernetes.Tests.Support;
using k8s.Models;

namespace IronLb.Kubernetes.Tests.Status;

/// <summary>
/// A speaker's ServiceBGPStatus objects against KubeSim with deploy/crds installed: one per announced Service, shaped
/// as MetalLB writes them, and SyncAsync makes this node's set equal the desired one (create, patch, delete) without
/// touching another node's, writing nothing when they already agree.
/// </summary>
public sealed class ServiceBgpStatusWriterTests
{
    private const string Ns = MetalLbCluster.Ns;

    private static readonly ServiceKey Web = new("default", "web");
    private static readonly ServiceKey Mail = new("mail", "smtp");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sync_creates_patches_and_deletes_until_the_objects_equal_the_desired_set()
    {
        await using var run = await Running.StartAsync();
        var owner = new V1OwnerReference { ApiVersion = "v1", Kind = "Pod", Name = "speaker-x", Uid = "1b4e28ba-2fa1-11d2-883f-0016d3cca427" };

        // Two Services announced: one object each, MetalLB's shape, peers sorted.
        var writes = await run.SyncAsync(run.N1, owner, (Web, ["tor-b", "tor-a"]), (Mail, ["tor-a"]));
        Assert.True(writes >= 2);
        var objects = await run.ListAsync();
        Assert.Equal(2, objects.Count);
        var web = objects.Single(o => o.Status?.ServiceName == "web");
        Assert.StartsWith("bgp-", web.Metadata.Name, StringComparison.Ordinal);
        Assert.Equal(("cwn1", "web", "default"), (web.Metadata.Labels[MetalLbLabels.Node], web.Metadata.Labels[MetalLbLabels.ServiceName], web.Metadata.Labels[MetalLbLabels.ServiceNamespace]));
        Assert.Equal(("cwn1", "default"), (web.Status!.Node, web.Status.ServiceNamespace));
        Assert.Equal(["tor-a", "tor-b"], web.Status.Peers!);
        Assert.Equal("speaker-x", Assert.Single(web.Metadata.OwnerReferences).Name);

        // The same desired set again: nothing to write.
        Assert.Equal(0, await run.SyncAsync(run.N1, owner, (Web, ["tor-a", "tor-b"]), (Mail, ["tor-a"])));

        // Another node announces web too: its object is its own, and cwn1's sync leaves it alone.
        await run.SyncAsync(run.N2, owner, (Web, ["tor-a"]));

        // cwn1: web loses a peer (patched, same object), mail is withdrawn (deleted), an empty peer set counts as withdrawn.
        Assert.Equal(2, await run.SyncAsync(run.N1, owner, (Web, ["tor-a"]), (Mail, [])));
        objects = await run.ListAsync();
        Assert.Equal(["cwn1/web:tor-a", "cwn2/web:tor-a"], objects.Select(Describe).Order(StringComparer.Ordinal));
        Assert.Equal(web.Metadata.Name, objects.Single(o => o.Status!.Node == "cwn1").Metadata.Name);
        Assert.Equal(0, run.Writes.Failures);
    }

    [Fact]
    public async Task A_duplicate_and_a_leftover_without_a_service_are_deleted()
    {
        await using var run = await Running.StartAsync();
        await run.N1.CreateAsync(Web, ["tor-a"], null, Token);
        await run.N1.CreateAsync(Web, ["tor-a"], null, Token);
        await run.Statuses.CreateAsync(new ServiceBgpStatusObject
        {
            Metadata = new V1ObjectMeta { GenerateName = "bgp-", NamespaceProperty = Ns, Labels = new Dictionary<string, string> { [MetalLbLabels.Node] = "cwn1" } },
        }, Token);

        await run.SyncAsync(run.N1, null, (Web, ["tor-a"]));

        var objects = await run.ListAsync();
        Assert.Equal(["cwn1/web:tor-a"], objects.Select(Describe));
    }

    [Fact]
    public async Task Peers_are_written_sorted_whatever_order_they_come_in()
    {
        await using var run = await Running.StartAsync();
        var (name, statusWritten) = await run.N1.CreateAsync(Web, ["tor-b", "tor-a"], null, Token);
        if (!statusWritten)
        {
            await run.N1.PatchStatusAsync(name, Web, ["tor-c", "tor-b", "tor-a"], Token);
        }

        var written = (await run.Statuses.GetAsync(Ns, name, Token))!.Status!.Peers!;
        Assert.Equal(written.Order(StringComparer.Ordinal), written);
        Assert.True(written.Count >= 2);
    }

    private static string Describe(ServiceBgpStatusObject o) => $"{o.Status?.Node}/{o.Status?.ServiceName}:{string.Join(',', o.Status?.Peers ?? [])}";

    private sealed class Running : IAsyncDisposable
    {
        private readonly MetalLbCluster _cluster;

        private Running(MetalLbCluster cluster)
        {
            _cluster = cluster;
            Statuses = new ResourceClient<ServiceBgpStatusObject>(cluster.Direct, ResourceTypes.ServiceBgpStatuses(Ns));
            N1 = new ServiceBgpStatusWriter(cluster.Direct, Ns, "cwn1", Writes);
            N2 = new ServiceBgpStatusWriter(cluster.Direct, Ns, "cwn2", Writes);
        }

        public ResourceClient<ServiceBgpStatusObject> Statuses { get; }

        public WriteCounter Writes { get; } = new();

        public ServiceBgpStatusWriter N1 { get; }

        public ServiceBgpStatusWriter N2 { get; }

        public static async Task<Running> StartAsync() =>
            new(await MetalLbCluster.StartAsync(Token, ("servicebgpstatuses", ResourceTypes.MetalLbGroupVersion, "ServiceBGPStatus")));

        public async Task<IReadOnlyList<ServiceBgpStatusObject>> ListAsync() => (await Statuses.ListAsync(Token)).Items;

        public async Task<int> SyncAsync(ServiceBgpStatusWriter writer, V1OwnerReference? owner, params (ServiceKey Service, string[] Peers)[] desired) =>
            await writer.SyncAsync(
                desired.ToImmutableDictionary(d => d.Service, d => ImmutableSortedSet.CreateRange(StringComparer.Ordinal, d.Peers)),
                await writer.ListMineAsync(Token),
                owner,
                Token);

        public ValueTask DisposeAsync() => _cluster.DisposeAsync();
    }
}
