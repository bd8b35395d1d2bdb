using IronLb.KubeSim.Http;

namespace IronLb.KubeSim.Selectors;

/// <summary>A parsed <c>labelSelector</c>: <c>=</c>, <c>==</c>, <c>!=</c>, <c>in</c>, <c>notin</c>, <c>key</c>, <c>!key</c>.</summary>
internal sealed class LabelSelector
{
    private readonly List<Requirement> _requirements;

    private LabelSelector(List<Requirement> requirements) => _requirements = requirements;

    public static LabelSelector Everything { get; } = new([]);

    public bool IsEmpty => _requirements.Count == 0;

    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var r in _requirements)
        {
            var has = labels.TryGetValue(r.Key, out var value);
            var ok = r.Op switch
            {
                Operator.Exists => has,
                Operator.NotExists => !has,
                Operator.In => has && r.Values.Contains(value!),
                Operator.NotIn => !has || !r.Values.Contains(value!),
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }
        return true;
    }

    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }
        var requirements = new List<Requirement>();
        foreach (var raw in SplitTopLevel(text))
        {
            var part = raw.Trim();
            if (part.Length == 0)
            {
                continue;
            }
            requirements.Add(ParseOne(part, text));
        }
        return new LabelSelector(requirements);
    }

    private static Requirement ParseOne(string part, string whole)
    {
        if (part.StartsWith('!'))
        {
            return new Requirement(Key(part[1..], whole), Operator.NotExists, []);
        }
        var setStart = part.IndexOf('(', StringComparison.Ordinal);
        if (setStart > 0)
        {
            var head = part[..setStart].Trim();
            var spaceAt = head.LastIndexOf(' ');
            if (spaceAt < 0 || !part.EndsWith(')'))
            {
                throw Bad(whole);
            }
            var op = head[(spaceAt + 1)..] switch
            {
                "in" => Operator.In,
                "notin" => Operator.NotIn,
                _ => throw Bad(whole),
            };
            var values = part[(setStart + 1)..^1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            return new Requirement(Key(head[..spaceAt], whole), op, [.. values]);
        }
        foreach (var (token, op) in new[] { ("!=", Operator.NotIn), ("==", Operator.In), ("=", Operator.In) })
        {
            var at = part.IndexOf(token, StringComparison.Ordinal);
            if (at > 0)
            {
                return new Requirement(Key(part[..at], whole), op, [part[(at + token.Length)..].Trim()]);
            }
        }
        return new Requirement(Key(part, whole), Operator.Exists, []);
    }

    private static string Key(string key, string whole)
    {
        key = key.Trim();
        if (key.Length == 0 || key.Contains(' ', StringComparison.Ordinal))
        {
            throw Bad(whole);
        }
        return key;
    }

    private static ApiException Bad(string text) =>
        ApiException.BadRequest($"unable to parse requirement: found '{text}', expected: label selector");

    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    yield return text[start..i];
                    start = i + 1;
                    break;
            }
        }
        yield return text[start..];
    }

    private enum Operator
    {
        In,
        NotIn,
        Exists,
        NotExists,
    }

    private sealed record Requirement(string Key, Operator Op, HashSet<string> Values);
}
