using System.Net;
using System.Net.Http.Headers;
using IronLb.KubeSim.Tests.Support;

namespace IronLb.KubeSim.Tests.Http;

/// <summary>
/// The faults KubeSim injects for the clients' fault tests, seen from a plain HttpClient: a black-holed
/// client's requests and watches get nothing while everyone else is served; a stopped server refuses
/// connections and comes back on the same port with its objects.
/// </summary>
public sealed class FaultTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static HttpClient Client(KubeSim api, string agent)
    {
        var client = new HttpClient { BaseAddress = api.BaseUrl, Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue(agent, "1.0"));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "kubesim");
        return client;
    }

    private static Task<HttpResponseMessage> CreateConfigMapAsync(HttpClient client, string name) =>
        client.PostAsync("api/v1/namespaces/default/configmaps", new StringContent("{\"metadata\":{\"name\":\"" + name + "\"}}", System.Text.Encoding.UTF8, "application/json"), Ct);

    [Fact]
    public async Task A_black_holed_client_gets_no_answer_while_others_are_served_and_healing_lets_new_requests_through()
    {
        await using var api = await Sim.StartAsync();
        using var victim = Client(api, "victim");
        using var bystander = Client(api, "bystander");

        api.Faults.BlackHole("victim");
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        patience.CancelAfter(TimeSpan.FromSeconds(1));
        var held = victim.GetAsync("api/v1/namespaces/default/configmaps", patience.Token);
        Assert.Equal(HttpStatusCode.OK, (await bystander.GetAsync("api/v1/namespaces/default/configmaps", Ct)).StatusCode);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => held);
        Assert.Equal(1, api.Faults.Held);

        api.Faults.Heal("victim");
        Assert.Equal(HttpStatusCode.Created, (await CreateConfigMapAsync(victim, "after")).StatusCode);
    }

    [Fact]
    public async Task A_black_holed_clients_open_watch_falls_silent_and_stays_silent_after_healing()
    {
        await using var api = await Sim.StartAsync();
        using var victim = Client(api, "victim");
        using var bystander = Client(api, "bystander");
        await using var victimWatch = await WatchAsync(victim);
        await using var bystanderWatch = await WatchAsync(bystander);
        await CreateConfigMapAsync(bystander, "seen");
        await victimWatch.SeesAsync("seen", Ct);
        await bystanderWatch.SeesAsync("seen", Ct);

        api.Faults.BlackHole("victim");
        await CreateConfigMapAsync(bystander, "missed");
        await bystanderWatch.SeesAsync("missed", Ct);
        api.Faults.HealAll();
        await CreateConfigMapAsync(bystander, "still-missed");
        await bystanderWatch.SeesAsync("still-missed", Ct);

        // The bystander has seen both events; the victim's stream has had as long and shows nothing.
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        patience.CancelAfter(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await victimWatch.LineAsync(patience.Token));
    }

    [Fact]
    public async Task A_stopped_server_refuses_connections_ends_watches_and_comes_back_on_its_port_with_its_objects()
    {
        await using var api = await Sim.StartAsync();
        using var client = Client(api, "client");
        await CreateConfigMapAsync(client, "kept");
        await using var watch = await WatchAsync(client);
        await watch.SeesAsync("kept", Ct);

        await api.StopServingAsync();
        Assert.False(api.IsServing);
        Assert.Null(await watch.LineOrEndAsync(Ct));
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("version", Ct));

        await api.StartServingAsync(Ct);
        var text = await client.GetStringAsync("api/v1/namespaces/default/configmaps/kept", Ct);
        Assert.Contains("\"kept\"", text, StringComparison.Ordinal);
    }

    private static async Task<Watch> WatchAsync(HttpClient client)
    {
        var response = await client.GetAsync("api/v1/namespaces/default/configmaps?watch=true&resourceVersion=0", HttpCompletionOption.ResponseHeadersRead, Ct);
        response.EnsureSuccessStatusCode();
        return new Watch(response, new StreamReader(await response.Content.ReadAsStreamAsync(Ct)));
    }

    private sealed class Watch(HttpResponseMessage response, StreamReader reader) : IAsyncDisposable
    {
        public async Task<string> LineAsync(CancellationToken ct) =>
            await LineOrEndAsync(ct) ?? throw new InvalidOperationException("the watch ended");

        /// <summary>Reads until an event names <paramref name="name"/> (objects that were there first come before it).</summary>
        public async Task SeesAsync(string name, CancellationToken ct)
        {
            while (!(await LineAsync(ct)).Contains($"\"name\":\"{name}\"", StringComparison.Ordinal))
            {
            }
        }

        /// <summary>The next event line, or null when the stream ended (a reset counts as an end).</summary>
        public async Task<string?> LineOrEndAsync(CancellationToken ct)
        {
            try
            {
                return await reader.ReadLineAsync(ct);
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                return null;
            }
        }

        public ValueTask DisposeAsync()
        {
            reader.Dispose();
            response.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
