using System.Net;
using IronLb.KubeSim.Tests.Support;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace IronLb.KubeSim.Tests.Client;

/// <summary>LIST in pages (limit/continue), read by the real KubernetesClient as client-go's pager reads it.</summary>
public sealed class PagingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static V1ConfigMap ConfigMap(string name, string value = "1") =>
        new() { Metadata = new V1ObjectMeta { Name = name }, Data = new Dictionary<string, string> { ["k"] = value } };

    private static async Task CreateAsync(k8s.Kubernetes client, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap($"cm-{i:00}"), "default", cancellationToken: Ct);
        }
    }

    [Fact]
    public async Task Pages_cover_every_object_once_in_key_order_at_the_first_pages_version()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        await CreateAsync(client, 25);

        var first = await client.CoreV1.ListNamespacedConfigMapAsync("default", limit: 10, cancellationToken: Ct);
        var second = await client.CoreV1.ListNamespacedConfigMapAsync("default", limit: 10, continueParameter: first.Metadata.ContinueProperty, cancellationToken: Ct);
        var third = await client.CoreV1.ListNamespacedConfigMapAsync("default", limit: 10, continueParameter: second.Metadata.ContinueProperty, cancellationToken: Ct);

        Assert.Equal([10, 10, 5], [first.Items.Count, second.Items.Count, third.Items.Count]);
        Assert.Equal([15L, 5L], [first.Metadata.RemainingItemCount!.Value, second.Metadata.RemainingItemCount!.Value]);
        Assert.Null(third.Metadata.ContinueProperty);
        Assert.Null(third.Metadata.RemainingItemCount);
        Assert.Equal(
            Enumerable.Range(0, 25).Select(i => $"cm-{i:00}"),
            first.Items.Concat(second.Items).Concat(third.Items).Select(c => c.Metadata.Name));
        Assert.All(new[] { second, third }, p => Assert.Equal(first.Metadata.ResourceVersion, p.Metadata.ResourceVersion));
    }

    [Fact]
    public async Task Later_pages_show_the_collection_as_it_was_when_the_first_page_was_read()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        await CreateAsync(client, 20);
        var first = await client.CoreV1.ListNamespacedConfigMapAsync("default", limit: 10, cancellationToken: Ct);

        // Writes after the first page, on both sides of where it ended: none of them may show in the rest of this list.
        await client.CoreV1.DeleteNamespacedConfigMapAsync("cm-15", "default", cancellationToken: Ct);
        var changed = await client.CoreV1.ReadNamespacedConfigMapAsync("cm-12", "default", cancellationToken: Ct);
        changed.Data["k"] = "2";
        await client.CoreV1.ReplaceNamespacedConfigMapAsync(changed, "cm-12", "default", cancellationToken: Ct);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("cm-12a"), "default", cancellationToken: Ct);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("cm-00a"), "default", cancellationToken: Ct);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("other"), "kube-system", cancellationToken: Ct);
        var rest = await client.CoreV1.ListNamespacedConfigMapAsync("default", continueParameter: first.Metadata.ContinueProperty, cancellationToken: Ct);
        var now = await client.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: Ct);

        Assert.Equal(Enumerable.Range(10, 10).Select(i => $"cm-{i:00}"), rest.Items.Select(c => c.Metadata.Name));
        Assert.Equal("1", rest.Items.Single(c => c.Metadata.Name == "cm-12").Data["k"]);
        Assert.Equal(first.Metadata.ResourceVersion, rest.Metadata.ResourceVersion);
        Assert.Null(rest.Metadata.ContinueProperty);
        Assert.Equal(21, now.Items.Count);
        Assert.Equal("2", now.Items.Single(c => c.Metadata.Name == "cm-12").Data["k"]);
    }

    [Fact]
    public async Task A_continue_token_older_than_the_servers_history_has_expired()
    {
        await using var api = await Sim.StartAsync(new KubeSimOptions { WatchHistoryLimit = 16 });
        using var client = Clients.For(api);
        await CreateAsync(client, 10);
        var first = await client.CoreV1.ListNamespacedConfigMapAsync("default", limit: 5, cancellationToken: Ct);
        for (var i = 0; i < 20; i++)
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap($"late-{i:00}"), "kube-system", cancellationToken: Ct);
        }

        var error = await Assert.ThrowsAsync<HttpOperationException>(() =>
            client.CoreV1.ListNamespacedConfigMapAsync("default", limit: 5, continueParameter: first.Metadata.ContinueProperty, cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.Gone, error.Response.StatusCode);
        Assert.Contains("\"reason\":\"Expired\"", error.Response.Content);
    }

    [Theory]
    [InlineData("continue=%21%21%21", "continue key is not valid: it is not base64")]
    [InlineData("continue=bm90IGEga2V5", "continue key is not valid: it names no resourceVersion and key")]
    [InlineData("continue=OTk5OTk5CmRlZmF1bHQvY20tMDA%3D", "continue key is not valid: it names a resourceVersion the server has not reached")]
    [InlineData("limit=ten", "limit: invalid value \\\"ten\\\": not an integer")]
    [InlineData("continue=MQpkZWZhdWx0L2NtLTAw&resourceVersion=5", "specifying resource version is not allowed when using continue")]
    public async Task A_page_request_the_server_cannot_read_is_a_bad_request_naming_why(string query, string message)
    {
        await using var api = await Sim.StartAsync();
        using var http = new HttpClient { BaseAddress = api.BaseUrl };

        using var response = await http.GetAsync($"/api/v1/namespaces/default/configmaps?{query}", Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, body);
    }

    [Fact]
    public async Task Without_a_limit_one_answer_holds_everything_and_no_continue()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        await CreateAsync(client, 12);

        var all = await client.CoreV1.ListNamespacedConfigMapAsync("default", limit: 0, cancellationToken: Ct);

        Assert.Equal(12, all.Items.Count);
        Assert.Null(all.Metadata.ContinueProperty);
    }
}
