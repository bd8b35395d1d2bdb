using IronLb.Core.Allocation;
using IronLb.Kubernetes.Informers;
using IronLb.Kubernetes.Mapping;

namespace IronLb.Kubernetes.Tests.Informers;

/// <summary>
/// The informers' trimmed Services: Core sees exactly what it saw from the whole object, and a status write sends back
/// the whole metadata and status (the spec is the server's on that path).
/// </summary>
public sealed class ServiceTrimTests
{
    [Theory]
    [InlineData("""
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"shop","uid":"u-1","resourceVersion":"41","generation":3,
          "creationTimestamp":"2026-12-01T10:00:00Z","labels":{"app":"web"},"annotations":{"metallb.io/loadBalancerIPs":"192.0.2.7,2001:db8::7","metallb.io/allow-shared-ip":"k"},
          "finalizers":["service.kubernetes.io/load-balancer-cleanup"],"ownerReferences":[{"apiVersion":"v1","kind":"Pod","name":"p","uid":"o-1"}]},
         "spec":{"type":"LoadBalancer","loadBalancerClass":"ironlb","clusterIP":"10.96.0.9","clusterIPs":["10.96.0.9","fd00:10:96::9"],
          "ipFamilies":["IPv4","IPv6"],"ipFamilyPolicy":"RequireDualStack","externalTrafficPolicy":"Local","healthCheckNodePort":31000,
          "internalTrafficPolicy":"Cluster","sessionAffinity":"ClientIP","sessionAffinityConfig":{"clientIP":{"timeoutSeconds":60}},
          "loadBalancerSourceRanges":["198.51.100.0/24"],"selector":{"app":"web","tier":"front"},
          "ports":[{"name":"http","protocol":"TCP","port":80,"targetPort":8080,"nodePort":30080},{"name":"dns","protocol":"UDP","port":53,"targetPort":"dns"}]},
         "status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.7","ipMode":"VIP"}]},"conditions":[{"type":"Ready","status":"True","reason":"r","message":"m","lastTransitionTime":"2026-12-01T10:00:00Z"}]}}
        """)]
    [InlineData("""{"metadata":{"name":"old","namespace":"default"},"spec":{"type":"LoadBalancer","clusterIP":"10.96.0.10","loadBalancerIP":"203.0.113.9"}}""")] // clusterIP alone
    [InlineData("""{"metadata":{"name":"bare"}}""")]
    [InlineData("""{"metadata":{"name":"internal","namespace":"default"},"spec":{"clusterIP":"None","ports":[{"port":53}]}}""")]
    public void Core_sees_the_same_service_and_a_status_write_sends_the_same_metadata_and_status(string json)
    {
        var whole = ResourceTypes.Services.Parse(json);
        var trimmed = ResourceTypes.ServicesTrimmed.Parse(json);

        Assert.Equal(Describe(CoreMapping.ToView(whole)), Describe(CoreMapping.ToView(trimmed)));
        var utf8 = ResourceTypes.ServicesTrimmed.ParseUtf8(System.Text.Encoding.UTF8.GetBytes(json));
        Assert.Equal(Describe(CoreMapping.ToView(whole)), Describe(CoreMapping.ToView(utf8)));
        Assert.Equal(Json(whole.Metadata), Json(trimmed.Metadata));
        Assert.Equal(Json(whole.Status), Json(trimmed.Status));
    }

    [Fact]
    public void Repeated_values_are_one_shared_string()
    {
        const string Text = """{"metadata":{"name":"a","namespace":"default","annotations":{"metallb.io/ip-allocated-from-pool":"public"}},"spec":{"type":"LoadBalancer","ports":[{"protocol":"TCP","port":80}]}}""";

        var a = ResourceTypes.ServicesTrimmed.Parse(Text);
        var b = ResourceTypes.ServicesTrimmed.Parse(Text.Replace("\"a\"", "\"b\"", StringComparison.Ordinal));

        Assert.Same(a.Spec.Type, b.Spec.Type);
        Assert.Same(a.Metadata.NamespaceProperty, b.Metadata.NamespaceProperty);
        Assert.Same(a.Spec.Ports[0].Protocol, b.Spec.Ports[0].Protocol);
        Assert.Same(a.Metadata.Annotations.Keys.Single(), b.Metadata.Annotations.Keys.Single());
        Assert.NotSame(a.Metadata.Name, b.Metadata.Name);
    }

    private static string Json<T>(T value) => System.Text.Json.JsonSerializer.Serialize(value, typeof(T), Kubernetes.Json.BuiltInJsonContext.Default);

    private static string Describe(ServiceView v) => string.Join('|',
        v.Key, v.Type, Map(v.Labels), Map(v.Annotations), v.LoadBalancerIp, v.LoadBalancerClass, string.Join(',', v.ClusterIps),
        v.IpFamilyPolicy, string.Join(',', v.IpFamilies), v.ExternalTrafficPolicyLocal, Map(v.Selector),
        string.Join(',', v.Ports.Select(p => $"{p.Protocol}/{p.Port}")), string.Join(',', v.IngressIps), v.CreationTimestamp);

    private static string Map(IEnumerable<KeyValuePair<string, string>> map) => string.Join(',', map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
}
