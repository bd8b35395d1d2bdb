using System.Collections.Immutable;
using System.Text.Json.Nodes;
using IronLb.KubeSim.Json;

namespace IronLb.KubeSim.Authorization;

/// <summary>One RBAC rule, matched as kube-apiserver matches it: <c>*</c> is any verb, group or resource; <c>*/status</c>
/// is that subresource of any resource; empty resourceNames is any name; a nonResourceURL ending in <c>*</c> is a prefix.</summary>
internal sealed record PolicyRule(
    ImmutableArray<string> Verbs,
    ImmutableArray<string> ApiGroups,
    ImmutableArray<string> Resources,
    ImmutableArray<string> ResourceNames,
    ImmutableArray<string> NonResourceUrls)
{
    private const string All = "*";

    public static PolicyRule Resource(string[] verbs, string[] groups, string[] resources, params string[] names) =>
        new([.. verbs], [.. groups], [.. resources], [.. names], []);

    public static PolicyRule NonResource(string[] verbs, params string[] urls) => new([.. verbs], [], [], [], [.. urls]);

    /// <summary>Reads a rule from a Role's or ClusterRole's <c>rules</c>; a missing or mistyped list reads as empty
    /// (a rule without verbs allows nothing), so no stored object can make authorization throw.</summary>
    public static PolicyRule Parse(JsonNode? rule) =>
        new(Strings(rule, "verbs"), Strings(rule, "apiGroups"), Strings(rule, "resources"), Strings(rule, "resourceNames"), Strings(rule, "nonResourceURLs"));

    public bool Allows(RequestAttributes request)
    {
        if (!(Verbs.Contains(All) || Verbs.Contains(request.Verb)))
        {
            return false;
        }
        if (!request.IsResourceRequest)
        {
            return NonResourceUrls.Any(url => url == All || url == request.Path
                || (url.EndsWith('*') && request.Path.StartsWith(url[..^1], StringComparison.Ordinal)));
        }
        return (ApiGroups.Contains(All) || ApiGroups.Contains(request.Group))
            && ResourceMatches(request.CombinedResource, request.Subresource)
            && (ResourceNames.IsEmpty || ResourceNames.Contains(request.Name));
    }

    private bool ResourceMatches(string combined, string subresource)
    {
        foreach (var resource in Resources)
        {
            if (resource == All || resource == combined
                || (subresource.Length > 0 && resource == "*/" + subresource))
            {
                return true;
            }
        }
        return false;
    }

    public JsonObject ToJson()
    {
        var json = new JsonObject { ["verbs"] = JsonText.StringArray(Verbs) };
        if (!ApiGroups.IsEmpty)
        {
            json["apiGroups"] = JsonText.StringArray(ApiGroups);
        }
        if (!Resources.IsEmpty)
        {
            json["resources"] = JsonText.StringArray(Resources);
        }
        if (!ResourceNames.IsEmpty)
        {
            json["resourceNames"] = JsonText.StringArray(ResourceNames);
        }
        if (!NonResourceUrls.IsEmpty)
        {
            json["nonResourceURLs"] = JsonText.StringArray(NonResourceUrls);
        }
        return json;
    }

    private static ImmutableArray<string> Strings(JsonNode? node, string name) =>
        node is JsonObject o && o[name] is JsonArray list
            ? [.. list.OfType<JsonValue>().Select(JsonText.Cell)]
            : [];

    public bool Equals(PolicyRule? other) =>
        other is not null && Verbs.SequenceEqual(other.Verbs) && ApiGroups.SequenceEqual(other.ApiGroups)
        && Resources.SequenceEqual(other.Resources) && ResourceNames.SequenceEqual(other.ResourceNames)
        && NonResourceUrls.SequenceEqual(other.NonResourceUrls);

    public override int GetHashCode() => HashCode.Combine(Verbs.Length, ApiGroups.Length, Resources.Length);
}
