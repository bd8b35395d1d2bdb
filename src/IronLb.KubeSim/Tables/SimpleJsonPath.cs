using System.Text.Json.Nodes;

namespace IronLb.KubeSim.Tables;

/// <summary>The JSONPath subset CRD printer columns use: <c>.a.b</c>, <c>[n]</c>, <c>[*]</c> and
/// <c>[?(@.type=="Ready")]</c>. Returns every match, in document order.</summary>
internal static class SimpleJsonPath
{
    public static List<JsonNode?> Find(JsonNode? root, string path)
    {
        var current = new List<JsonNode?> { root };
        var text = path.Trim().TrimStart('{').TrimEnd('}').Trim();
        var i = 0;
        while (i < text.Length && current.Count > 0)
        {
            if (text[i] == '.')
            {
                var end = i + 1;
                while (end < text.Length && text[end] != '.' && text[end] != '[')
                {
                    end++;
                }
                var name = text[(i + 1)..end];
                if (name.Length > 0)
                {
                    current = [.. current.OfType<JsonObject>().Where(o => o.ContainsKey(name)).Select(o => o[name])];
                }
                i = end;
            }
            else if (text[i] == '[')
            {
                var end = text.IndexOf(']', i);
                if (end < 0)
                {
                    return [];
                }
                var inner = text[(i + 1)..end];
                current = Index(current, inner);
                i = end + 1;
            }
            else
            {
                return [];
            }
        }
        return current;
    }

    private static List<JsonNode?> Index(List<JsonNode?> nodes, string inner)
    {
        var arrays = nodes.OfType<JsonArray>().ToList();
        if (inner == "*")
        {
            return [.. arrays.SelectMany(a => a)];
        }
        if (int.TryParse(inner, System.Globalization.CultureInfo.InvariantCulture, out var index))
        {
            return [.. arrays.Where(a => index < a.Count && index >= -a.Count).Select(a => a[index < 0 ? a.Count + index : index])];
        }
        if (inner.StartsWith("?(@.", StringComparison.Ordinal) && inner.EndsWith(')'))
        {
            var condition = inner[4..^1];
            var eq = condition.IndexOf("==", StringComparison.Ordinal);
            if (eq < 0)
            {
                return [];
            }
            var field = condition[..eq].Trim();
            var wanted = condition[(eq + 2)..].Trim().Trim('"', '\'');
            return [.. arrays.SelectMany(a => a).OfType<JsonObject>()
                .Where(o => Find(o, "." + field).FirstOrDefault() is { } v && Json.JsonText.Cell(v) == wanted)];
        }
        return [];
    }
}
