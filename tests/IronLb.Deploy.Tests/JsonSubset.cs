using System.Text.Json.Nodes;

namespace IronLb.Deploy.Tests;

/// <summary>
/// Where a stored object lost or changed what was written. The API server prunes fields a CRD's schema does not
/// declare instead of refusing them, so a misspelt field is only seen by comparing what came back with what went
/// in; defaults the server adds are not differences.
/// </summary>
internal static class JsonSubset
{
    public static List<string> Differences(JsonNode? written, JsonNode? stored, string path = "")
    {
        var differences = new List<string>();
        Compare(written, stored, path, differences);
        return differences;
    }

    private static void Compare(JsonNode? written, JsonNode? stored, string path, List<string> differences)
    {
        switch (written)
        {
            case JsonObject writtenObject when stored is JsonObject storedObject:
                foreach (var (name, value) in writtenObject)
                {
                    var child = path.Length == 0 ? name : $"{path}.{name}";
                    if (!storedObject.ContainsKey(name))
                    {
                        differences.Add($"{child}: dropped by the server (not in the schema)");
                        continue;
                    }

                    Compare(value, storedObject[name], child, differences);
                }

                break;
            case JsonArray writtenArray when stored is JsonArray storedArray && writtenArray.Count == storedArray.Count:
                for (var i = 0; i < writtenArray.Count; i++)
                {
                    Compare(writtenArray[i], storedArray[i], $"{path}[{i}]", differences);
                }

                break;
            default:
                if (!JsonNode.DeepEquals(written, stored))
                {
                    differences.Add($"{path}: written {written?.ToJsonString() ?? "null"}, stored {stored?.ToJsonString() ?? "null"}");
                }

                break;
        }
    }
}
