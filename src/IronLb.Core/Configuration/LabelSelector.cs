using System.Collections.Immutable;
using System.Text;

namespace IronLb.Core.Configuration;

/// <summary>A validated, compiled label selector. An empty selector matches everything, as in Kubernetes.</summary>
public sealed class LabelSelector : IEquatable<LabelSelector>
{
    private readonly ImmutableArray<Requirement> _requirements;

    private LabelSelector(ImmutableArray<Requirement> requirements, string canonical)
    {
        _requirements = requirements;
        Canonical = canonical;
    }

    public static LabelSelector Everything { get; } = new([], string.Empty);

    /// <summary>The sorted text form ("a=b,c in (x,y)"): equality and duplicate detection compare this.</summary>
    public string Canonical { get; }

    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var requirement in _requirements)
        {
            if (!requirement.Matches(labels))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Compiles a selector, collecting every problem (bad operator, bad key, duplicate expression or value).</summary>
    public static LabelSelector? TryCompile(LabelSelectorSpec spec, List<string> errors)
    {
        var before = errors.Count;
        var requirements = new List<Requirement>();
        foreach (var (key, value) in spec.MatchLabels.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            ValidateKey(key, errors);
            ValidateValue(key, value, errors);
            requirements.Add(new Requirement(key, "=", [value]));
        }

        var seenExpressions = new HashSet<string>(StringComparer.Ordinal);
        foreach (var expression in spec.MatchExpressions)
        {
            ValidateKey(expression.Key, errors);
            var values = expression.Values.IsDefault ? [] : expression.Values;
            var distinct = new HashSet<string>(StringComparer.Ordinal);
            foreach (var value in values)
            {
                if (!distinct.Add(value))
                {
                    errors.Add($"duplicate value \"{value}\" in match expression for key \"{expression.Key}\"");
                }

                ValidateValue(expression.Key, value, errors);
            }

            switch (expression.Operator)
            {
                case "In" or "NotIn" when values.IsEmpty:
                    errors.Add($"match expression for key \"{expression.Key}\": values must be non-empty for operator {expression.Operator}");
                    break;
                case "Exists" or "DoesNotExist" when !values.IsEmpty:
                    errors.Add($"match expression for key \"{expression.Key}\": values must be empty for operator {expression.Operator}");
                    break;
                case "In" or "NotIn" or "Exists" or "DoesNotExist":
                    break;
                default:
                    errors.Add($"match expression for key \"{expression.Key}\": \"{expression.Operator}\" is not a valid label selector operator");
                    break;
            }

            var requirement = new Requirement(expression.Key, expression.Operator, [.. values.Order(StringComparer.Ordinal)]);
            if (!seenExpressions.Add(requirement.ToString()))
            {
                errors.Add($"duplicate match expression \"{requirement}\"");
            }

            requirements.Add(requirement);
        }

        if (errors.Count > before)
        {
            return null;
        }

        requirements.Sort((a, b) => string.CompareOrdinal(a.ToString(), b.ToString()));
        return new LabelSelector([.. requirements], string.Join(',', requirements));
    }

    // Qualified name: optional DNS-subdomain prefix and '/', then 1-63 of [A-Za-z0-9-_.] starting and ending alphanumeric.
    private static void ValidateKey(string key, List<string> errors)
    {
        var slash = key.LastIndexOf('/');
        var name = slash < 0 ? key : key[(slash + 1)..];
        var prefix = slash < 0 ? null : key[..slash];
        if (!IsLabelValue(name) || name.Length == 0 || (prefix is not null && (prefix.Length is 0 or > 253 || !prefix.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.'))))
        {
            errors.Add($"invalid label key \"{key}\"");
        }
    }

    private static void ValidateValue(string key, string value, List<string> errors)
    {
        if (!IsLabelValue(value))
        {
            errors.Add($"invalid label value \"{value}\" for key \"{key}\"");
        }
    }

    private static bool IsLabelValue(string value) =>
        value.Length == 0 || (value.Length <= 63 && char.IsAsciiLetterOrDigit(value[0]) && char.IsAsciiLetterOrDigit(value[^1])
            && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'));

    public bool Equals(LabelSelector? other) => other is not null && string.Equals(Canonical, other.Canonical, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as LabelSelector);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Canonical);

    public override string ToString() => Canonical;

    private sealed record Requirement(string Key, string Operator, ImmutableArray<string> Values)
    {
        public bool Matches(IReadOnlyDictionary<string, string> labels)
        {
            var has = labels.TryGetValue(Key, out var value);
            return Operator switch
            {
                "=" or "In" => has && Values.Contains(value!, StringComparer.Ordinal),
                "NotIn" => !has || !Values.Contains(value!, StringComparer.Ordinal),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
        }

        public override string ToString()
        {
            var builder = new StringBuilder(Key);
            _ = Operator switch
            {
                "=" => builder.Append('=').Append(Values[0]),
                "Exists" => builder,
                "DoesNotExist" => builder.Insert(0, '!'),
                _ => builder.Append(' ').Append(Operator.ToLowerInvariant()).Append(" (").AppendJoin(',', Values).Append(')'),
            };
            return builder.ToString();
        }
    }
}
