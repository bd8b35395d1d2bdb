using System.Net;
using IronLb.KubeSim.Tests.Support;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace IronLb.KubeSim.Tests.Client;

public sealed class WatchTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static V1ConfigMap ConfigMap(string name, string value = "1", Dictionary<string, string>? labels = null) =>
        new() { Metadata = new V1ObjectMeta { Name = name, Labels = labels }, Data = new Dictionary<string, string> { ["k"] = value } };

    /// <summary>Reads events until <paramref name="count"/> have arrived (bookmarks included if asked for).</summary>
    private static async Task<List<(WatchEventType Type, T Object)>> TakeAsync<T>(
        IAsyncEnumerable<(WatchEventType, T)> watch, int count, Action<Exception>? unused = null)
    {
        var events = new List<(WatchEventType, T)>();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromSeconds(60));
        await foreach (var evt in watch.WithCancellation(cts.Token))
        {
            events.Add(evt);
            if (events.Count == count)
            {
                break;
            }
        }
        return events;
    }

    [Fact]
    public async Task A_watch_from_a_list_resource_version_sees_every_later_change_in_order()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("before"), "default", cancellationToken: Ct);
        var list = await client.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: Ct);

        var created = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a"), "default", cancellationToken: Ct);
        created.Data["k"] = "2";
        var modified = await client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "a", "default", cancellationToken: Ct);
        await client.CoreV1.DeleteNamespacedConfigMapAsync("a", "default", cancellationToken: Ct);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("other"), "kube-system", cancellationToken: Ct);

        var events = await TakeAsync(client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: list.Metadata.ResourceVersion, cancellationToken: Ct), 3);
        var resumed = await TakeAsync(client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: modified.Metadata.ResourceVersion, cancellationToken: Ct), 1);

        Assert.Equal([WatchEventType.Added, WatchEventType.Modified, WatchEventType.Deleted], events.Select(e => e.Type));
        Assert.All(events, e => Assert.Equal("a", e.Object.Metadata.Name));
        Assert.Equal("2", events[1].Object.Data["k"]);
        var versions = events.Select(e => long.Parse(e.Object.Metadata.ResourceVersion)).ToList();
        Assert.Equal(versions.Order(), versions);
        Assert.Equal(WatchEventType.Deleted, Assert.Single(resumed).Type);
    }

    [Fact]
    public async Task A_watch_without_a_resource_version_starts_with_the_current_objects()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a"), "default", cancellationToken: Ct);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("b"), "default", cancellationToken: Ct);

        var events = await TakeAsync(client.CoreV1.WatchListNamespacedConfigMapAsync("default", cancellationToken: Ct), 2);

        Assert.Equal(["a", "b"], events.Select(e => e.Object.Metadata.Name));
        Assert.All(events, e => Assert.Equal(WatchEventType.Added, e.Type));
    }

    [Fact]
    public async Task An_expired_resource_version_is_410_on_watch_and_on_list_and_a_relist_recovers()
    {
        await using var api = await Sim.StartAsync(new KubeSimOptions { WatchHistoryLimit = 16 });
        using var client = Clients.For(api);
        var old = (await client.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: Ct)).Metadata.ResourceVersion;
        for (var i = 0; i < 40; i++)
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap($"c{i}"), "default", cancellationToken: Ct);
        }

        var errors = new List<Exception>();
        var events = new List<WatchEventType>();
        await foreach (var (type, _) in client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: old, onError: errors.Add, cancellationToken: Ct))
        {
            events.Add(type);
        }
        var listError = await Assert.ThrowsAsync<HttpOperationException>(() =>
            client.CoreV1.ListNamespacedConfigMapAsync("default", resourceVersion: old, resourceVersionMatch: "Exact", cancellationToken: Ct));
        var relist = await client.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: Ct);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("after"), "default", cancellationToken: Ct);
        var resumed = await TakeAsync(client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: relist.Metadata.ResourceVersion, cancellationToken: Ct), 1);

        Assert.DoesNotContain(WatchEventType.Added, events);
        var expired = Assert.IsType<KubernetesException>(Assert.Single(errors));
        Assert.Equal(410, expired.Status.Code);
        Assert.Equal("Expired", expired.Status.Reason);
        Assert.StartsWith($"too old resource version: {old}", expired.Status.Message);
        Assert.Equal(HttpStatusCode.Gone, listError.Response.StatusCode);
        Assert.Equal(40, relist.Items.Count);
        Assert.Equal("after", Assert.Single(resumed).Object.Metadata.Name);
    }

    [Fact]
    public async Task Bookmarks_carry_the_current_resource_version_when_asked_for()
    {
        await using var api = await Sim.StartAsync(new KubeSimOptions { BookmarkInterval = TimeSpan.FromMilliseconds(200) });
        using var client = Clients.For(api);
        var list = await client.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: Ct);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a"), "kube-system", cancellationToken: Ct);

        var events = await TakeAsync(client.CoreV1.WatchListNamespacedConfigMapAsync("default", allowWatchBookmarks: true,
            resourceVersion: list.Metadata.ResourceVersion, cancellationToken: Ct), 1);

        var (type, bookmark) = Assert.Single(events);
        Assert.Equal(WatchEventType.Bookmark, type);
        Assert.Equal(api.ResourceVersion.ToString(), bookmark.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task A_watch_that_times_out_with_bookmarks_ends_cleanly_with_a_last_bookmark()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        var list = await client.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: Ct);

        var events = new List<WatchEventType>();
        await foreach (var (type, _) in client.CoreV1.WatchListNamespacedConfigMapAsync("default", allowWatchBookmarks: true,
            resourceVersion: list.Metadata.ResourceVersion, timeoutSeconds: 1, cancellationToken: Ct))
        {
            events.Add(type);
        }

        Assert.Equal([WatchEventType.Bookmark], events);
    }

    [Fact]
    public async Task Selector_transitions_turn_into_ADDED_and_DELETED_for_a_label_selected_watch()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        var list = await client.DiscoveryV1.ListNamespacedEndpointSliceAsync("default", labelSelector: "kubernetes.io/service-name=web", cancellationToken: Ct);
        var slice = new V1EndpointSlice
        {
            Metadata = new V1ObjectMeta { Name = "web-abc", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = "other" } },
            AddressType = "IPv4",
            Endpoints = [new V1Endpoint { Addresses = ["10.0.0.1"] }],
        };

        var created = await client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(slice, "default", cancellationToken: Ct);
        created.Metadata.Labels["kubernetes.io/service-name"] = "web";
        var matching = await client.DiscoveryV1.ReplaceNamespacedEndpointSliceAsync(created, "web-abc", "default", cancellationToken: Ct);
        matching.Endpoints[0].Addresses = ["10.0.0.2"];
        var changed = await client.DiscoveryV1.ReplaceNamespacedEndpointSliceAsync(matching, "web-abc", "default", cancellationToken: Ct);
        changed.Metadata.Labels["kubernetes.io/service-name"] = "gone";
        await client.DiscoveryV1.ReplaceNamespacedEndpointSliceAsync(changed, "web-abc", "default", cancellationToken: Ct);

        var events = await TakeAsync(client.DiscoveryV1.WatchListNamespacedEndpointSliceAsync("default", labelSelector: "kubernetes.io/service-name=web",
            resourceVersion: list.Metadata.ResourceVersion, cancellationToken: Ct), 3);

        Assert.Equal([WatchEventType.Added, WatchEventType.Modified, WatchEventType.Deleted], events.Select(e => e.Type));
        Assert.Equal("10.0.0.2", events[1].Object.Endpoints[0].Addresses[0]);
        Assert.Equal("gone", events[2].Object.Metadata.Labels["kubernetes.io/service-name"]);
    }

    [Fact]
    public async Task Field_selected_watches_follow_one_object()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        var list = await client.CoreV1.ListNamespacedConfigMapAsync("default", fieldSelector: "metadata.name=b", cancellationToken: Ct);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a"), "default", cancellationToken: Ct);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("b"), "default", cancellationToken: Ct);

        var events = await TakeAsync(client.CoreV1.WatchListNamespacedConfigMapAsync("default", fieldSelector: "metadata.name=b",
            resourceVersion: list.Metadata.ResourceVersion, cancellationToken: Ct), 1);

        Assert.Equal("b", Assert.Single(events).Object.Metadata.Name);
    }

    [Fact]
    public async Task Custom_resource_watches_resume_from_a_resource_version()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        await Crds.InstallMetalLbAsync(client);
        await Crds.CreateNamespaceAsync(client, "metallb-system");
        var rv = api.ResourceVersion.ToString();
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(
            System.Text.Json.Nodes.JsonNode.Parse("""{"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"p1"},"spec":{"addresses":["192.0.2.0/28"]}}"""),
            "metallb.io", "v1beta1", "metallb-system", "ipaddresspools", cancellationToken: Ct);

        var events = await TakeAsync(client.CustomObjects.WatchListNamespacedCustomObjectAsync("metallb.io", "v1beta1", "metallb-system", "ipaddresspools",
            resourceVersion: rv, cancellationToken: Ct), 1);

        Assert.Equal(WatchEventType.Added, Assert.Single(events).Item1);
        Assert.Contains("\"p1\"", events[0].Item2.ToString());
    }

    [Fact]
    public async Task A_watcher_that_stops_reading_never_blocks_writers_and_is_expired_when_it_falls_behind()
    {
        await using var api = await Sim.StartAsync(new KubeSimOptions { WatchHistoryLimit = 200 });
        using var client = Clients.For(api);
        using var http = new HttpClient { BaseAddress = api.BaseUrl, Timeout = Timeout.InfiniteTimeSpan };
        var start = api.ResourceVersion;
        using var response = await http.GetAsync(new Uri($"/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={start}", UriKind.Relative),
            HttpCompletionOption.ResponseHeadersRead, Ct);
        await using var stream = await response.Content.ReadAsStreamAsync(Ct);

        // About 30 MB of events: far more than the socket buffers hold, so the stalled watcher is stuck in a flush.
        var payload = new string('x', 30_000);
        for (var i = 0; i < 1000; i++)
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(
                new V1ConfigMap { Metadata = new V1ObjectMeta { Name = $"big-{i}" }, Data = new Dictionary<string, string> { ["k"] = payload } },
                "default", cancellationToken: Ct);
        }
        using var reader = new StreamReader(stream);
        string? last = null;
        while (await reader.ReadLineAsync(Ct) is { } line)
        {
            last = line;
        }

        Assert.Equal(start + 1000, api.ResourceVersion);
        Assert.NotNull(last);
        Assert.StartsWith("{\"type\":\"ERROR\"", last);
        Assert.Contains("\"code\":410", last);
    }
}
