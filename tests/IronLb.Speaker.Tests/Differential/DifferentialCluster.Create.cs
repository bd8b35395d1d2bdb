using System.Text.Json.Nodes;
using IronLb.Core.Allocation;
using k8s;
using k8s.Models;

namespace IronLb.Speaker.Tests.Differential;

/// <summary>Writing one generated cluster through the real client: its namespaces, pools, advertisements, nodes and Services.</summary>
internal sealed partial class DifferentialCluster
{
    private async Task CreateAsync(ClusterSpec spec, Names names)
    {
        _clock.Now = Epoch;
        foreach (var ns in new[] { names.Config, names.A, names.B })
        {
            await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
        }

        await Accounts.GrantAsync(names.Config);

        foreach (var pool in spec.Pools)
        {
            var poolSpec = new JsonObject { ["addresses"] = new JsonArray([.. pool.Addresses.Select(a => JsonValue.Create(a))]), ["avoidBuggyIPs"] = pool.AvoidBuggyIps };
            if (pool.AutoAssign is { } auto)
            {
                poolSpec["autoAssign"] = auto;
            }

            if (pool.Priority is { } priority)
            {
                var allocation = new JsonObject { ["priority"] = priority };
                if (pool.OnlyNamespaceA)
                {
                    allocation["namespaces"] = new JsonArray(JsonValue.Create(names.A));
                }

                poolSpec["serviceAllocation"] = allocation;
            }

            await CreateCustomAsync(names.Config, "ipaddresspools", "IPAddressPool", pool.Name, poolSpec);
        }

        foreach (var advertisement in spec.Advertisements)
        {
            var adSpec = new JsonObject { ["ipAddressPools"] = new JsonArray([.. advertisement.Pools.Select(p => JsonValue.Create(p))]) };
            if (advertisement.Zone is { } zone)
            {
                adSpec["nodeSelectors"] = new JsonArray(new JsonObject { ["matchLabels"] = new JsonObject { ["zone"] = zone } });
            }

            await CreateCustomAsync(names.Config, "l2advertisements", "L2Advertisement", advertisement.Name, adSpec);
        }

        await CreateBgpAsync(spec.Bgp, names.Config);

        // Creation order is the generated order; timestamps are the generated seconds (ties are common).
        foreach (var service in spec.Services)
        {
            _clock.Now = Epoch.AddSeconds(service.CreatedSecond);
            await CreateServiceAsync(service, names.Of(service.Namespace));
        }
    }

    private async Task CreateServiceAsync(ServiceSpec service, string ns)
    {
        var annotations = new Dictionary<string, string>();
        if (!service.Requested.IsEmpty)
        {
            annotations[ServiceAnnotations.LoadBalancerIps] = string.Join(',', service.Requested);
        }

        if (service.Pool is { } pool)
        {
            annotations[ServiceAnnotations.AddressPool] = pool;
        }

        if (service.SharingKey is { } key)
        {
            annotations[ServiceAnnotations.AllowSharedIp] = key;
        }

        if (service.StatusPool is { } statusPool)
        {
            annotations[ServiceAnnotations.IpAllocatedFromPool] = statusPool;
        }

        var (families, policy) = service.Stack switch
        {
            Stack.IPv4 => (new List<string> { "IPv4" }, "SingleStack"),
            Stack.IPv6 => (["IPv6"], "SingleStack"),
            Stack.PreferDualV4First => (["IPv4", "IPv6"], "PreferDualStack"),
            Stack.PreferDualV6First => (["IPv6", "IPv4"], "PreferDualStack"),
            _ => (["IPv4", "IPv6"], "RequireDualStack"),
        };
        await Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = service.Name, Annotations = annotations },
            Spec = new V1ServiceSpec
            {
                Type = "LoadBalancer",
                IpFamilies = families,
                IpFamilyPolicy = policy,
                ExternalTrafficPolicy = service.Local ? "Local" : "Cluster",
                Selector = new Dictionary<string, string> { ["app"] = service.Name },
                Ports = [new V1ServicePort { Port = service.Port, Protocol = service.Port == 53 ? "UDP" : "TCP" }],
            },
        }, ns);
        if (!service.Status.IsEmpty)
        {
            var ingress = new JsonArray([.. service.Status.Select(ip => new JsonObject { ["ip"] = ip })]);
            var patch = new JsonObject { ["status"] = new JsonObject { ["loadBalancer"] = new JsonObject { ["ingress"] = ingress } } };
            await Client.CoreV1.PatchNamespacedServiceStatusAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), service.Name, ns);
        }

        await Client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(new V1EndpointSlice
        {
            Metadata = new V1ObjectMeta { Name = service.Name + "-slice", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = service.Name } },
            AddressType = "IPv4",
            Endpoints = [.. service.ReadyNodes.Select((n, i) => new V1Endpoint { Addresses = [$"10.0.0.{i + 1}"], NodeName = n, Conditions = new V1EndpointConditions { Ready = true } })],
        }, ns);
    }

    private Task CreateCustomAsync(string ns, string plural, string kind, string name, JsonObject spec, string version = "v1beta1")
    {
        var body = new JsonObject
        {
            ["apiVersion"] = "metallb.io/" + version,
            ["kind"] = kind,
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["spec"] = spec,
        };
        return Client.CreateNamespacedCustomObjectAsync(body.ToJsonString(), "metallb.io", version, ns, plural);
    }
}
