using System.Collections.Immutable;
using System.Text.Json.Nodes;
using IronLb.KubeSim.Json;

namespace IronLb.KubeSim.Resources;

/// <summary>Reads an <c>apiextensions.k8s.io/v1</c> CRD into servable resource types: scope, names, the status
/// subresource, printer columns and selectable fields of every served version.</summary>
internal static class CrdTranslator
{
    public static ImmutableArray<ResourceType> ToResourceTypes(JsonObject crd)
    {
        var spec = crd["spec"] as JsonObject ?? [];
        var names = spec["names"] as JsonObject ?? [];
        var group = JsonText.Str(spec, "group") ?? "";
        var plural = JsonText.Str(names, "plural") ?? "";
        var kind = JsonText.Str(names, "kind") ?? "";
        var singular = JsonText.Str(names, "singular") ?? kind.ToLowerInvariant();
        var namespaced = JsonText.Str(spec, "scope") != "Cluster";
        var shortNames = Strings(names["shortNames"]);
        var categories = Strings(names["categories"]);
        var builder = ImmutableArray.CreateBuilder<ResourceType>();
        foreach (var version in (spec["versions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (JsonText.Bool(version["served"]) == false)
            {
                continue;
            }
            builder.Add(new ResourceType
            {
                Group = group,
                Version = JsonText.Str(version, "name") ?? "v1",
                Kind = kind,
                Plural = plural,
                Singular = singular,
                Namespaced = namespaced,
                ShortNames = shortNames,
                Categories = categories,
                HasStatus = version["subresources"]?["status"] is JsonObject,
                HasGeneration = true,
                Schema = (version["schema"]?["openAPIV3Schema"] as JsonObject)?.DeepClone().AsObject(),
                Behaviour = KindBehaviour.CustomResource,
                PrinterColumns = Columns(version["additionalPrinterColumns"]),
                SelectableFields = [.. (version["selectableFields"] as JsonArray ?? []).OfType<JsonObject>()
                    .Select(f => (JsonText.Str(f, "jsonPath") ?? "").TrimStart('.'))
                    .Where(p => p.Length > 0)],
            });
        }
        return builder.ToImmutable();
    }

    private static ImmutableArray<string> Strings(JsonNode? node) =>
        [.. (node as JsonArray ?? []).Select(n => n?.GetValue<string>() ?? "").Where(s => s.Length > 0)];

    private static ImmutableArray<PrinterColumn> Columns(JsonNode? node) =>
        [.. (node as JsonArray ?? []).OfType<JsonObject>().Select(c => new PrinterColumn(
            JsonText.Str(c, "name") ?? "",
            JsonText.Str(c, "type") ?? "string",
            JsonText.Str(c, "format"),
            JsonText.Str(c, "description") ?? "",
            (int)(JsonText.Long(c["priority"]) ?? 0),
            JsonText.Str(c, "jsonPath") ?? ""))];
}
