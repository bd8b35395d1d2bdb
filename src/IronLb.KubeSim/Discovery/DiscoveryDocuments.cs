using System.Text.Json.Nodes;
using IronLb.KubeSim.Json;
using IronLb.KubeSim.Resources;

namespace IronLb.KubeSim.Discovery;

/// <summary>Discovery documents: aggregated (<c>apidiscovery.k8s.io/v2</c>, what kubectl 1.32 asks for, served only
/// under its exact content type) and legacy (<c>APIVersions</c>, <c>APIGroupList</c>, <c>APIResourceList</c>).</summary>
internal static class DiscoveryDocuments
{
    public const string AggregatedV2ContentType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
    public const string AggregatedV2Beta1ContentType = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";

    private static readonly string[] SubresourceVerbs = ["get", "patch", "update"];

    /// <summary>Which aggregated version an Accept header asks for, if any (the first acceptable one wins).</summary>
    public static string? AggregatedVersion(string accept)
    {
        foreach (var part in accept.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!part.Contains("as=APIGroupDiscoveryList", StringComparison.Ordinal))
            {
                continue;
            }
            if (part.Contains("v=v2beta1", StringComparison.Ordinal))
            {
                return "v2beta1";
            }
            if (part.Contains("v=v2", StringComparison.Ordinal))
            {
                return "v2";
            }
        }
        return null;
    }

    public static JsonObject Aggregated(ResourceRegistry registry, bool core, string version)
    {
        var items = new JsonArray();
        foreach (var (group, versions) in registry.Groups().Where(g => (g.Group.Length == 0) == core))
        {
            var versionList = new JsonArray();
            foreach (var v in versions)
            {
                var resources = new JsonArray();
                foreach (var type in registry.All.Where(t => t.Group == group && t.Version == v).OrderBy(t => t.Plural, StringComparer.Ordinal))
                {
                    resources.AddNode(AggregatedResource(type));
                }
                versionList.AddNode(new JsonObject { ["version"] = v, ["resources"] = resources, ["freshness"] = "Current" });
            }
            items.AddNode(new JsonObject
            {
                ["metadata"] = new JsonObject { ["name"] = group, ["creationTimestamp"] = null },
                ["versions"] = versionList,
            });
        }
        return new JsonObject
        {
            ["kind"] = "APIGroupDiscoveryList",
            ["apiVersion"] = $"apidiscovery.k8s.io/{version}",
            ["metadata"] = new JsonObject(),
            ["items"] = items,
        };
    }

    private static JsonObject AggregatedResource(ResourceType type)
    {
        var kind = new JsonObject { ["group"] = type.Group, ["version"] = type.Version, ["kind"] = type.Kind };
        var resource = new JsonObject
        {
            ["resource"] = type.Plural,
            ["responseKind"] = kind,
            ["scope"] = type.Namespaced ? "Namespaced" : "Cluster",
            ["singularResource"] = type.Singular,
            ["verbs"] = JsonText.StringArray(type.Verbs),
        };
        if (!type.ShortNames.IsEmpty)
        {
            resource["shortNames"] = JsonText.StringArray(type.ShortNames);
        }
        if (!type.Categories.IsEmpty)
        {
            resource["categories"] = JsonText.StringArray(type.Categories);
        }
        if (type.HasStatus)
        {
            resource["subresources"] = new JsonArray(new JsonObject
            {
                ["subresource"] = "status",
                ["responseKind"] = kind.DeepClone(),
                ["verbs"] = JsonText.StringArray(SubresourceVerbs),
            });
        }
        return resource;
    }

    public static JsonObject ApiVersions(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
    };

    public static JsonObject GroupList(ResourceRegistry registry)
    {
        var groups = new JsonArray();
        foreach (var (group, versions) in registry.Groups().Where(g => g.Group.Length > 0))
        {
            groups.AddNode(Group(group, versions));
        }
        return new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups };
    }

    public static JsonObject? Group(ResourceRegistry registry, string group)
    {
        var match = registry.Groups().FirstOrDefault(g => g.Group == group);
        if (match.Versions is null)
        {
            return null;
        }
        var doc = Group(group, match.Versions);
        doc["kind"] = "APIGroup";
        doc["apiVersion"] = "v1";
        return doc;
    }

    private static JsonObject Group(string group, IReadOnlyList<string> versions)
    {
        JsonObject Gv(string v) => new() { ["groupVersion"] = $"{group}/{v}", ["version"] = v };
        var list = new JsonArray();
        foreach (var v in versions)
        {
            list.AddNode(Gv(v));
        }
        return new JsonObject { ["name"] = group, ["versions"] = list, ["preferredVersion"] = Gv(versions[0]) };
    }

    public static JsonObject ResourceList(ResourceRegistry registry, string group, string version)
    {
        var resources = new JsonArray();
        foreach (var type in registry.All.Where(t => t.Group == group && t.Version == version).OrderBy(t => t.Plural, StringComparer.Ordinal))
        {
            var entry = new JsonObject
            {
                ["name"] = type.Plural,
                ["singularName"] = type.Singular,
                ["namespaced"] = type.Namespaced,
                ["kind"] = type.Kind,
                ["verbs"] = JsonText.StringArray(type.Verbs),
            };
            if (!type.ShortNames.IsEmpty)
            {
                entry["shortNames"] = JsonText.StringArray(type.ShortNames);
            }
            if (!type.Categories.IsEmpty)
            {
                entry["categories"] = JsonText.StringArray(type.Categories);
            }
            resources.AddNode(entry);
            if (type.HasStatus)
            {
                resources.AddNode(new JsonObject
                {
                    ["name"] = type.Plural + "/status",
                    ["singularName"] = "",
                    ["namespaced"] = type.Namespaced,
                    ["kind"] = type.Kind,
                    ["verbs"] = JsonText.StringArray(SubresourceVerbs),
                });
            }
        }
        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = resources,
        };
    }
}
