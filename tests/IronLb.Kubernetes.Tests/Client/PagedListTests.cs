using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Informers;
using IronLb.Kubernetes.Tests.Support;
using k8s.Models;

namespace IronLb.Kubernetes.Tests.Client;

/// <summary>Lists read in pages of 500 as client-go's reflector reads them, and the whole-list fallback when a page's token expired.</summary>
public sealed class PagedListTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static V1Lease Lease(string ns, string name) => new() { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns } };

    private static async Task CreateAsync(KubeConnection connection, string ns, int count)
    {
        var leases = new ResourceClient<V1Lease>(connection, ResourceTypes.Leases);
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = Token }, async (i, ct) =>
            await leases.CreateAsync(Lease(ns, $"lease-{i:0000}"), ct));
    }

    [Fact]
    public async Task A_list_longer_than_a_page_arrives_whole_from_pages_at_one_version()
    {
        await using var sim = await Sim.StartAsync(TimeProvider.System);
        using var direct = sim.Direct();
        await CreateAsync(direct, "default", 1_201);
        var leases = new ResourceClient<V1Lease>(sim.Connection, ResourceTypes.Leases);

        var list = await leases.ListAsync("default", null, Token);

        Assert.Equal(Enumerable.Range(0, 1_201).Select(i => $"lease-{i:0000}"), list.Items.Select(l => l.Metadata.Name));
        var asked = sim.Faults.Requests.Select(r => r.PathAndQuery).ToList();
        Assert.Equal(3, asked.Count);
        Assert.All(asked, q => Assert.Contains($"limit={ResourceClient<V1Lease>.PageSize}", q, StringComparison.Ordinal));
        Assert.Equal([false, true, true], asked.Select(q => q.Contains("continue=", StringComparison.Ordinal)));
        Assert.Equal(sim.Api.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), list.ResourceVersion);
    }

    [Fact]
    public async Task A_continue_token_that_expired_between_pages_falls_back_to_one_whole_list()
    {
        await using var sim = await Sim.StartAsync(TimeProvider.System, new KubeSim.KubeSimOptions { WatchHistoryLimit = 16 });
        using var direct = sim.Direct();
        await CreateAsync(direct, "default", 600);
        var leases = new ResourceClient<V1Lease>(sim.Connection, ResourceTypes.Leases);
        var wrote = false;
        sim.Faults.BeforeSend = async request =>
        {
            // More writes than the server's history holds, after the first page: its continue token has expired.
            if (!wrote && request.RequestUri!.Query.Contains("continue=", StringComparison.Ordinal))
            {
                wrote = true;
                await CreateAsync(direct, "kube-system", 20);
            }
        };

        var list = await leases.ListAsync(Token);

        Assert.Equal(620, list.Items.Count);
        var asked = sim.Faults.Requests.Select(r => r.PathAndQuery).ToList();
        Assert.Equal(3, asked.Count);
        Assert.DoesNotContain("limit=", asked[2], StringComparison.Ordinal);
        Assert.Equal(sim.Api.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), list.ResourceVersion);
    }
}
