using System.Text.Json.Nodes;
using IronLb.KubeSim.Json;

namespace IronLb.KubeSim.Authorization;

/// <summary>A <c>metav1.LabelSelector</c> object (<c>matchLabels</c>, <c>matchExpressions</c>) matched against labels, as an
/// aggregationRule's clusterRoleSelectors are. An empty selector matches everything; an unknown operator matches nothing.</summary>
internal static class ObjectSelector
{
    public static bool Matches(JsonObject? selector, IReadOnlyDictionary<string, string> labels)
    {
        if (selector is null)
        {
            return false;
        }
        if (selector["matchLabels"] is JsonObject matchLabels)
        {
            foreach (var (key, value) in matchLabels)
            {
                if (!labels.TryGetValue(key, out var actual) || actual != JsonText.Cell(value))
                {
                    return false;
                }
            }
        }
        if (selector["matchExpressions"] is JsonArray expressions)
        {
            foreach (var expression in expressions)
            {
                var key = JsonText.Str(expression, "key") ?? "";
                var values = expression?["values"] is JsonArray list ? list.Select(JsonText.Cell).ToHashSet(StringComparer.Ordinal) : [];
                var has = labels.TryGetValue(key, out var actual);
                var ok = JsonText.Str(expression, "operator") switch
                {
                    "In" => has && values.Contains(actual!),
                    "NotIn" => !has || !values.Contains(actual!),
                    "Exists" => has,
                    "DoesNotExist" => !has,
                    _ => false,
                };
                if (!ok)
                {
                    return false;
                }
            }
        }
        return true;
    }
}
