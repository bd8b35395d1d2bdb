using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using IronLb.KubeSim.Tests.Support;

namespace IronLb.KubeSim.Tests.Http;

/// <summary>The HTTP details clients depend on without saying so: content types, negotiation, OpenAPI hashes.</summary>
public sealed class NegotiationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(HttpResponseMessage Response, JsonObject Body)> GetAsync(HttpClient http, string path, string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }
        var response = await http.SendAsync(request, Ct);
        return (response, JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!.AsObject());
    }

    [Fact]
    public async Task Aggregated_discovery_is_served_only_under_its_exact_content_type()
    {
        await using var api = await Sim.StartAsync();
        using var http = new HttpClient { BaseAddress = api.BaseUrl };

        var (aggregated, body) = await GetAsync(http, "/apis",
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json");
        var (legacy, legacyBody) = await GetAsync(http, "/apis");

        // HttpClient re-renders the header with spaces after ';'; kubectl compares the parameters.
        Assert.Equal("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList", aggregated.Content.Headers.ContentType!.ToString().Replace(" ", ""));
        Assert.Equal("APIGroupDiscoveryList", (string)body["kind"]!);
        Assert.Contains(body["items"]!.AsArray(), g => (string)g!["metadata"]!["name"]! == "coordination.k8s.io");
        Assert.Equal("application/json", legacy.Content.Headers.ContentType!.MediaType);
        Assert.Equal("APIGroupList", (string)legacyBody["kind"]!);
    }

    [Fact]
    public async Task OpenApi_v3_documents_name_the_group_version_kind_of_each_patch_and_change_hash_with_crds()
    {
        await using var api = await Sim.StartAsync();
        using var http = new HttpClient { BaseAddress = api.BaseUrl };

        var (_, index) = await GetAsync(http, "/openapi/v3");
        var coreUrl = (string)index["paths"]!["api/v1"]!["serverRelativeURL"]!;
        var (_, core) = await GetAsync(http, coreUrl);
        api.Create("apiextensions.k8s.io/v1", "customresourcedefinitions", null, """
            {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"widgets.example.com"},
             "spec":{"group":"example.com","scope":"Namespaced","names":{"plural":"widgets","singular":"widget","kind":"Widget"},
             "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}
            """);
        var (_, after) = await GetAsync(http, "/openapi/v3");

        var patch = core["paths"]!["/api/v1/namespaces/{namespace}/services/{name}"]!["patch"]!;
        Assert.Equal("Service", (string)patch["x-kubernetes-group-version-kind"]!["kind"]!);
        Assert.Contains(patch["parameters"]!.AsArray(), p => (string)p!["name"]! == "fieldValidation");
        Assert.NotNull(after["paths"]!["apis/example.com/v1"]);
        Assert.StartsWith("/openapi/v3/api/v1?hash=", coreUrl);
    }

    [Fact]
    public async Task Partial_object_metadata_and_tables_are_negotiated_by_accept()
    {
        await using var api = await Sim.StartAsync();
        using var http = new HttpClient { BaseAddress = api.BaseUrl };

        var (_, partial) = await GetAsync(http, "/api/v1/namespaces/default/services", "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json");
        var (_, table) = await GetAsync(http, "/api/v1/namespaces/default/services?includeObject=Object", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json");
        var (_, plain) = await GetAsync(http, "/api/v1/namespaces/default/services");

        Assert.Equal("PartialObjectMetadataList", (string)partial["kind"]!);
        Assert.Equal("kubernetes", (string)partial["items"]![0]!["metadata"]!["name"]!);
        Assert.Null(partial["items"]![0]!["spec"]);
        Assert.Equal("Table", (string)table["kind"]!);
        Assert.Equal("Service", (string)table["rows"]![0]!["object"]!["kind"]!);
        Assert.Equal("ServiceList", (string)plain["kind"]!);
        Assert.Equal(api.ResourceVersion.ToString(), (string)plain["metadata"]!["resourceVersion"]!);
    }

    [Fact]
    public async Task Yaml_bodies_are_accepted_and_unknown_paths_are_404_Status()
    {
        await using var api = await Sim.StartAsync();
        using var http = new HttpClient { BaseAddress = api.BaseUrl };
        using var yaml = new StringContent("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\ndata:\n  port: \"80\"\n  enabled: \"true\"\n", Encoding.UTF8);
        yaml.Headers.ContentType = new MediaTypeHeaderValue("application/yaml");

        using var created = await http.PostAsync(new Uri("/api/v1/namespaces/default/configmaps", UriKind.Relative), yaml, Ct);
        var body = JsonNode.Parse(await created.Content.ReadAsStringAsync(Ct))!;
        var (missing, status) = await GetAsync(http, "/apis/nowhere.example.com/v1/things");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("80", (string)body["data"]!["port"]!);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("Status", (string)status["kind"]!);
    }
}
