using System.Collections.Immutable;
using IronLb.Core.Allocation;

namespace IronLb.Manifests;

/// <summary>
/// A Gateway (gateway.networking.k8s.io) as the Service Istio creates for it: `&lt;gateway&gt;-&lt;gatewayClassName&gt;`
/// in the Gateway's namespace, type LoadBalancer, PreferDualStack, carrying the Gateway's annotations and
/// labels (spec.infrastructure's win) and one port per distinct listener port. This is how the campus
/// cluster's HTTP services get their addresses, so plan sees what the cluster sees.
/// </summary>
internal static class GatewayReader
{
    /// <summary>Istio's per-Gateway override of the generated Service's type.</summary>
    public const string ServiceTypeAnnotation = "networking.istio.io/service-type";

    /// <summary>The label Istio puts on the generated Service and selects the gateway pods by.</summary>
    public const string GatewayNameLabel = "gateway.networking.k8s.io/gateway-name";

    public static ServiceView? Read(MappingNode root, string ns, ObjectMetadata metadata, ObjectContext context, ImmutableArray<string> clusterFamilies)
    {
        var spec = context.Mapping(root, "spec", "", required: true);
        if (spec is null)
        {
            return null;
        }

        var className = context.String(spec, "gatewayClassName", "spec", required: true);
        var ports = ImmutableArray.CreateBuilder<ServicePort>();
        if (spec["listeners"] is null)
        {
            context.Error(spec, "missing required field \"spec.listeners\"");
        }

        foreach (var (listener, path) in context.MappingItems(spec, "listeners", "spec"))
        {
            var port = context.Integer(listener, "port", path, required: true);
            var protocol = context.String(listener, "protocol", path, required: true);
            if (port is < 1 or > 65535)
            {
                context.Error(listener["port"], $"{path}.port: {port} is not a port number (1-65535)");
            }
            else if (port is not null && protocol is not null)
            {
                var servicePort = new ServicePort(protocol == "UDP" ? "UDP" : "TCP", (int)port);
                if (!ports.Contains(servicePort))
                {
                    ports.Add(servicePort);
                }
            }
        }

        var annotations = metadata.Annotations;
        var labels = metadata.Labels;
        if (context.Mapping(spec, "infrastructure", "spec") is { } infrastructure)
        {
            var infrastructureAnnotations = context.StringMap(infrastructure, "annotations", "spec.infrastructure");
            annotations = annotations.SetItems(infrastructureAnnotations);

            // The generated Service carries these as its own annotations: an error about one points here.
            foreach (var key in infrastructureAnnotations.Keys)
            {
                context.LocateAs($"spec.infrastructure.annotations[{key}]", $"metadata.annotations[{key}]");
            }

            labels = labels.SetItems(context.StringMap(infrastructure, "labels", "spec.infrastructure"));
        }

        if (className is null || context.HasErrors)
        {
            return null;
        }

        var serviceName = $"{metadata.Name}-{className}";
        // Waypoints are in-mesh proxies; Istio gives them a ClusterIP Service.
        var type = annotations.GetValueOrDefault(ServiceTypeAnnotation)
            ?? (className == "istio-waypoint" ? "ClusterIP" : "LoadBalancer");
        var view = new ServiceView
        {
            Key = new ServiceKey(ns, serviceName),
            Type = type,
            Labels = labels.SetItem(GatewayNameLabel, metadata.Name),
            Annotations = annotations,
            IpFamilyPolicy = IpFamilyPolicy.PreferDualStack,
            Selector = ImmutableDictionary<string, string>.Empty.Add(GatewayNameLabel, metadata.Name),
            Ports = ports.ToImmutable(),
            IngressIps = ReadStatusAddresses(root, context),
            CreationTimestamp = metadata.CreationTimestamp,
        };

        return ServiceReader.WithClusterIps(view, spec, context, clusterFamilies);
    }

    /// <summary>status.addresses mirrors the generated Service's status.loadBalancer.ingress.</summary>
    private static ImmutableArray<string> ReadStatusAddresses(MappingNode root, ObjectContext context)
    {
        if (context.Mapping(root, "status", "") is not { } status)
        {
            return [];
        }

        var ips = ImmutableArray.CreateBuilder<string>();
        foreach (var (item, path) in context.MappingItems(status, "addresses", "status"))
        {
            var type = context.String(item, "type", path) ?? "IPAddress";
            if (type == "IPAddress" && context.String(item, "value", path) is { } value)
            {
                ips.Add(value);
            }
        }

        return ips.ToImmutable();
    }
}
