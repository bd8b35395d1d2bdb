using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Net;
using IronLb.Core.Allocation;

namespace IronLb.Manifests;

/// <summary>A v1 Service into Core's <see cref="ServiceView"/>, with the families the API server would give it.</summary>
internal static class ServiceReader
{
    private static readonly FrozenSet<string> SpecFields = FrozenSet.Create(StringComparer.Ordinal,
        "allocateLoadBalancerNodePorts", "clusterIP", "clusterIPs", "externalIPs", "externalName",
        "externalTrafficPolicy", "healthCheckNodePort", "internalTrafficPolicy", "ipFamilies", "ipFamilyPolicy",
        "loadBalancerClass", "loadBalancerIP", "loadBalancerSourceRanges", "ports", "publishNotReadyAddresses",
        "selector", "sessionAffinity", "sessionAffinityConfig", "trafficDistribution", "type");

    private static readonly FrozenSet<string> PortFields = FrozenSet.Create(StringComparer.Ordinal,
        "name", "protocol", "appProtocol", "port", "targetPort", "nodePort");

    private static readonly FrozenSet<string> Types = FrozenSet.Create(StringComparer.Ordinal,
        "ClusterIP", "NodePort", "LoadBalancer", "ExternalName");

    private static readonly FrozenSet<string> Protocols = FrozenSet.Create(StringComparer.Ordinal, "TCP", "UDP", "SCTP");

    public static ServiceView? Read(MappingNode root, ServiceKey key, ObjectMetadata metadata, ObjectContext context, ImmutableArray<string> clusterFamilies)
    {
        var spec = context.Mapping(root, "spec", "") ?? new MappingNode(root.Line, []);
        context.RejectUnknown(spec, "spec", SpecFields);

        var type = context.String(spec, "type", "spec") ?? "ClusterIP";
        if (!Types.Contains(type))
        {
            context.Error(spec["type"], $"spec.type: unsupported value \"{type}\" (ClusterIP, NodePort, LoadBalancer or ExternalName)");
        }

        var policy = ReadPolicy(spec, context);
        var families = ReadFamilies(spec, context);
        var etp = context.String(spec, "externalTrafficPolicy", "spec");
        if (etp is not null and not ("Cluster" or "Local"))
        {
            context.Error(spec["externalTrafficPolicy"], $"spec.externalTrafficPolicy: unsupported value \"{etp}\" (Cluster or Local)");
        }

        var clusterIps = context.StringList(spec, "clusterIPs", "spec");
        if (clusterIps.IsEmpty && context.String(spec, "clusterIP", "spec") is { Length: > 0 } single)
        {
            clusterIps = [single];
        }

        foreach (var ip in clusterIps)
        {
            if (ip != "None" && !IPAddress.TryParse(ip, out _))
            {
                context.Error(spec["clusterIPs"] ?? spec["clusterIP"], $"spec.clusterIPs: \"{ip}\" is not an IP address");
            }
        }

        var ports = ReadPorts(spec, context);
        var view = new ServiceView
        {
            Key = key,
            Type = type,
            Labels = metadata.Labels,
            Annotations = metadata.Annotations,
            LoadBalancerIp = context.String(spec, "loadBalancerIP", "spec"),
            LoadBalancerClass = context.String(spec, "loadBalancerClass", "spec"),
            ClusterIps = clusterIps,
            IpFamilyPolicy = policy,
            IpFamilies = families,
            ExternalTrafficPolicyLocal = etp == "Local",
            Selector = context.StringMap(spec, "selector", "spec"),
            Ports = ports,
            IngressIps = ReadIngress(root, context),
            CreationTimestamp = metadata.CreationTimestamp,
        };

        return context.HasErrors ? null : WithClusterIps(view, spec, context, clusterFamilies);
    }

    /// <summary>Fills clusterIPs, ipFamilies and the policy as the API server would, unless clusterIPs are given.</summary>
    public static ServiceView? WithClusterIps(ServiceView view, ManifestNode at, ObjectContext context, ImmutableArray<string> clusterFamilies)
    {
        // Only LoadBalancer Services reach Core's allocator; the others need no addresses of their own.
        if (!view.IsLoadBalancer || !view.ClusterIps.IsEmpty)
        {
            return view;
        }

        var policy = view.IpFamilyPolicy ?? IpFamilyPolicy.SingleStack;
        var (families, error) = ClusterIpDerivation.Families(policy, view.IpFamilies, clusterFamilies);
        if (error is not null)
        {
            context.Error(at, error);
            return null;
        }

        return view with
        {
            IpFamilyPolicy = policy,
            IpFamilies = families,
            ClusterIps = [.. families.Select(f => ClusterIpDerivation.ClusterIp(view.Key, f))],
        };
    }

    private static IpFamilyPolicy? ReadPolicy(MappingNode spec, ObjectContext context)
    {
        switch (context.String(spec, "ipFamilyPolicy", "spec"))
        {
            case null:
                return null;
            case "SingleStack":
                return IpFamilyPolicy.SingleStack;
            case "PreferDualStack":
                return IpFamilyPolicy.PreferDualStack;
            case "RequireDualStack":
                return IpFamilyPolicy.RequireDualStack;
            case var other:
                context.Error(spec["ipFamilyPolicy"], $"spec.ipFamilyPolicy: unsupported value \"{other}\" (SingleStack, PreferDualStack or RequireDualStack)");
                return null;
        }
    }

    private static ImmutableArray<string> ReadFamilies(MappingNode spec, ObjectContext context)
    {
        var families = context.StringList(spec, "ipFamilies", "spec");
        foreach (var family in families)
        {
            if (family is not (ClusterIpDerivation.IPv4 or ClusterIpDerivation.IPv6))
            {
                context.Error(spec["ipFamilies"], $"spec.ipFamilies: unsupported value \"{family}\" (IPv4 or IPv6)");
            }
        }

        if (families.Length > 2 || families.Distinct(StringComparer.Ordinal).Count() != families.Length)
        {
            context.Error(spec["ipFamilies"], "spec.ipFamilies: at most one of each family, at most two entries");
        }

        return families;
    }

    private static ImmutableArray<ServicePort> ReadPorts(MappingNode spec, ObjectContext context)
    {
        var ports = ImmutableArray.CreateBuilder<ServicePort>();
        foreach (var (item, path) in context.MappingItems(spec, "ports", "spec"))
        {
            context.RejectUnknown(item, path, PortFields);
            var protocol = context.String(item, "protocol", path) ?? "TCP";
            if (!Protocols.Contains(protocol))
            {
                context.Error(item["protocol"], $"{path}.protocol: unsupported value \"{protocol}\" (TCP, UDP or SCTP)");
            }

            var port = context.Integer(item, "port", path, required: true);
            if (port is < 1 or > 65535)
            {
                context.Error(item["port"], $"{path}.port: {port} is not a port number (1-65535)");
            }

            if (port is not null)
            {
                ports.Add(new ServicePort(protocol, (int)Math.Clamp(port.Value, 0, 65535)));
            }
        }

        return ports.ToImmutable();
    }

    private static ImmutableArray<string> ReadIngress(MappingNode root, ObjectContext context)
    {
        if (context.Mapping(root, "status", "") is not { } status
            || context.Mapping(status, "loadBalancer", "status") is not { } loadBalancer)
        {
            return [];
        }

        var ips = ImmutableArray.CreateBuilder<string>();
        foreach (var (item, path) in context.MappingItems(loadBalancer, "ingress", "status.loadBalancer"))
        {
            ips.Add(context.String(item, "ip", path) ?? "");
        }

        return ips.ToImmutable();
    }
}
