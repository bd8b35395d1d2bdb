using System.Collections.Immutable;
using IronLb.Core.Addressing;
using IronLb.Core.Allocation;
using IronLb.Core.Announcement;
using IronLb.Core.Configuration;

namespace IronLb.Core.Tests.Announcement;

/// <summary>Small builders so election tables read like MetalLB's layer2_controller_test.go rows.</summary>
internal static class ElectionFixtures
{
    public static L2Advertisement Ad(string[]? nodes = null, string[]? interfaces = null, LabelSelectorSpec[]? serviceSelectors = null, string name = "ad")
    {
        var problems = new List<string>();
        var selectors = ConfigParser.CompileSelectors([.. serviceSelectors ?? []], "serviceSelectors", problems);
        Assert.Empty(problems);
        return new L2Advertisement(name, nodes is null ? null : [.. nodes], [.. interfaces ?? []], selectors);
    }

    public static LabelSelectorSpec Labels(params (string Key, string Value)[] pairs) =>
        new() { MatchLabels = pairs.ToImmutableDictionary(p => p.Key, p => p.Value) };

    public static AddressPool Pool(params L2Advertisement[] ads) => new()
    {
        Name = "pool",
        Cidrs = [Cidr.TryParse("10.0.0.0/8", out var v4) ? v4 : default, Cidr.TryParse("fc00::/64", out var v6) ? v6 : default],
        L2Advertisements = [.. ads],
    };

    public static ServiceView Service(string ip, bool local = false, string name = "svc", IReadOnlyDictionary<string, string>? labels = null, IReadOnlyDictionary<string, string>? annotations = null) => new()
    {
        Key = new ServiceKey("default", name),
        ClusterIps = ["10.96.0.1"],
        IngressIps = [ip],
        ExternalTrafficPolicyLocal = local,
        Labels = (labels ?? new Dictionary<string, string>()).ToImmutableDictionary(),
        Annotations = (annotations ?? new Dictionary<string, string>()).ToImmutableDictionary(),
    };

    public static ServiceEndpoints Endpoints(params (string Node, bool? Ready, bool? Serving)[] endpoints) =>
        new([.. endpoints.Select(e => new EndpointView(e.Node, e.Ready, e.Serving))]);

    public static ServiceEndpoints ReadyOn(params string[] nodes) =>
        new([.. nodes.Select(n => new EndpointView(n, true))]);

    public static ElectionInput Input(ServiceView service, AddressPool pool, ServiceEndpoints endpoints, string[] speakers, NodeResource[]? nodes = null, bool ignoreExclude = false) => new()
    {
        Service = service,
        FirstIp = service.IngressIps[0],
        Pool = pool,
        Endpoints = endpoints,
        Speakers = speakers,
        Nodes = [.. nodes ?? []],
        IgnoreExcludeLabel = ignoreExclude,
    };
}
