using System.Text.Json;
using System.Text.Json.Nodes;
using IronLb.KubeSim.Json;
using IronLb.KubeSim.Resources;
using IronLb.KubeSim.Storage;

namespace IronLb.KubeSim.Tables;

/// <summary>How a table row carries its object (<c>includeObject</c>).</summary>
internal enum IncludeObject
{
    None,
    Metadata,
    Object,
}

/// <summary>Builds <c>meta.k8s.io/v1 Table</c> responses, which is what kubectl prints from: built-in printers
/// for the kinds users know, a CRD's additionalPrinterColumns for custom resources, Name/Created At otherwise.</summary>
internal static class TableBuilder
{
    public static JsonObject Build(ResourceType type, IEnumerable<StoredObject> items, long resourceVersion, IncludeObject include, DateTimeOffset now)
    {
        var printer = PrinterFor(type);
        var rows = new JsonArray();
        foreach (var item in items)
        {
            rows.AddNode(Row(type, printer, item, include, now));
        }
        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = new JsonObject { ["resourceVersion"] = StoredObject.FormatVersion(resourceVersion) },
            ["columnDefinitions"] = Columns(printer.Columns),
            ["rows"] = rows,
        };
    }

    private static JsonObject Row(ResourceType type, Printer printer, StoredObject item, IncludeObject include, DateTimeOffset now)
    {
        var obj = ObjectService.Present(type, item);
        var row = new JsonObject { ["cells"] = printer.Cells(obj, now) };
        switch (include)
        {
            case IncludeObject.Object:
                row["object"] = obj.DeepClone();
                break;
            case IncludeObject.Metadata:
                row["object"] = new JsonObject
                {
                    ["kind"] = "PartialObjectMetadata",
                    ["apiVersion"] = "meta.k8s.io/v1",
                    ["metadata"] = obj["metadata"]?.DeepClone(),
                };
                break;
        }
        return row;
    }

    private static JsonArray Columns(IReadOnlyList<PrinterColumn> columns)
    {
        var array = new JsonArray();
        foreach (var c in columns)
        {
            var column = new JsonObject
            {
                ["name"] = c.Name,
                ["type"] = c.Type,
                ["format"] = c.Format ?? "",
                ["description"] = c.Description,
                ["priority"] = c.Priority,
            };
            array.AddNode(column);
        }
        return array;
    }

    internal sealed record Printer(IReadOnlyList<PrinterColumn> Columns, Func<JsonObject, DateTimeOffset, JsonArray> Cells);

    private static readonly PrinterColumn NameColumn =
        new("Name", "string", "name", "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names", 0, ".metadata.name");

    internal static Printer PrinterFor(ResourceType type)
    {
        if (type.IsCustom)
        {
            var columns = type.PrinterColumns.IsEmpty
                ? [new PrinterColumn("Age", "date", null, "", 0, ".metadata.creationTimestamp")]
                : type.PrinterColumns;
            return new Printer([NameColumn, .. columns], (obj, now) => CustomCells(obj, columns, now));
        }
        return BuiltinPrinters.For(type) ?? new Printer(
            [NameColumn, new PrinterColumn("Created At", "date", null, "CreationTimestamp is a timestamp representing the server time when this object was created.", 0, ".metadata.creationTimestamp")],
            (obj, _) => new JsonArray(JsonText.Str(obj, "metadata", "name"), JsonText.Str(obj, "metadata", "creationTimestamp")));
    }

    private static JsonArray CustomCells(JsonObject obj, IEnumerable<PrinterColumn> columns, DateTimeOffset now)
    {
        var cells = new JsonArray((JsonNode?)JsonText.Str(obj, "metadata", "name"));
        foreach (var column in columns)
        {
            var found = SimpleJsonPath.Find(obj, column.JsonPath);
            var value = found.Count == 0 ? null : found[0];
            cells.Add(value is null ? null : column.Type switch
            {
                "date" => Time.Parse(JsonText.Cell(value)) is { } t ? Time.HumanDuration(now - t) : JsonText.Cell(value),
                "integer" or "number" or "boolean" when value is JsonValue v && v.GetValueKind() is not JsonValueKind.String => value.DeepClone(),
                _ => JsonText.Cell(value),
            });
        }
        return cells;
    }

    internal static string Age(JsonObject obj, DateTimeOffset now) =>
        Time.Parse(JsonText.Str(obj, "metadata", "creationTimestamp")) is { } created ? Time.HumanDuration(now - created) : "<unknown>";
}
