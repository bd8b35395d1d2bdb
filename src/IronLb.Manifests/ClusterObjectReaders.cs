using System.Collections.Immutable;
using IronLb.Core.Announcement;
using IronLb.Core.Configuration;

namespace IronLb.Manifests;

/// <summary>Node, Namespace and EndpointSlice: the election's and the selectors' inputs.</summary>
internal static class ClusterObjectReaders
{
    /// <summary>Set by the API server on every Namespace; namespaceSelectors commonly use it.</summary>
    public const string NamespaceNameLabel = "kubernetes.io/metadata.name";

    /// <summary>Names the Service an EndpointSlice belongs to.</summary>
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    public static NodeResource ReadNode(MappingNode root, ObjectMetadata metadata, ObjectContext context)
    {
        var unavailable = false;
        if (context.Mapping(root, "status", "") is { } status)
        {
            foreach (var (condition, path) in context.MappingItems(status, "conditions", "status"))
            {
                if (context.String(condition, "type", path) == "NetworkUnavailable"
                    && context.String(condition, "status", path) == "True")
                {
                    unavailable = true;
                }
            }
        }

        return new NodeResource(metadata.Name, metadata.Labels, unavailable);
    }

    public static NamespaceResource ReadNamespace(ObjectMetadata metadata) =>
        new(metadata.Name, metadata.Labels.SetItem(NamespaceNameLabel, metadata.Name));

    /// <summary>The Service name and endpoints of one slice; null name when the slice names no Service.</summary>
    public static (string? Service, ImmutableArray<EndpointView> Endpoints) ReadEndpointSlice(MappingNode root, ObjectMetadata metadata, ObjectContext context)
    {
        var endpoints = ImmutableArray.CreateBuilder<EndpointView>();
        foreach (var (endpoint, path) in context.MappingItems(root, "endpoints", ""))
        {
            var conditions = context.Mapping(endpoint, "conditions", path);
            var conditionsPath = ObjectContext.Join(path, "conditions");
            endpoints.Add(new EndpointView(
                context.String(endpoint, "nodeName", path),
                conditions is null ? null : context.Bool(conditions, "ready", conditionsPath),
                conditions is null ? null : context.Bool(conditions, "serving", conditionsPath)));
        }

        var service = metadata.Labels.GetValueOrDefault(ServiceNameLabel);
        if (service is null)
        {
            context.Error(root, $"metadata.labels: no \"{ServiceNameLabel}\" label, so the slice belongs to no Service");
        }

        return (service, endpoints.ToImmutable());
    }
}
