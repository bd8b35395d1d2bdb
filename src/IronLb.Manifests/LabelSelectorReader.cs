using System.Collections.Frozen;
using System.Collections.Immutable;
using IronLb.Core.Configuration;

namespace IronLb.Manifests;

/// <summary>metav1.LabelSelector lists as the MetalLB CRDs carry them (structure only; Core validates operators).</summary>
internal static class LabelSelectorReader
{
    private static readonly FrozenSet<string> SelectorFields = FrozenSet.Create(StringComparer.Ordinal, "matchLabels", "matchExpressions");
    private static readonly FrozenSet<string> RequirementFields = FrozenSet.Create(StringComparer.Ordinal, "key", "operator", "values");

    public static ImmutableArray<LabelSelectorSpec> ReadList(MappingNode parent, string key, string path, ObjectContext context)
    {
        var builder = ImmutableArray.CreateBuilder<LabelSelectorSpec>();
        foreach (var (item, itemPath) in context.MappingItems(parent, key, path))
        {
            builder.Add(Read(item, itemPath, context));
        }

        return builder.ToImmutable();
    }

    private static LabelSelectorSpec Read(MappingNode selector, string path, ObjectContext context)
    {
        context.RejectUnknown(selector, path, SelectorFields);
        var requirements = ImmutableArray.CreateBuilder<LabelSelectorRequirement>();
        foreach (var (item, itemPath) in context.MappingItems(selector, "matchExpressions", path))
        {
            context.RejectUnknown(item, itemPath, RequirementFields);
            var key = context.String(item, "key", itemPath, required: true);
            var op = context.String(item, "operator", itemPath, required: true);
            var values = context.StringList(item, "values", itemPath);
            if (key is not null && op is not null)
            {
                requirements.Add(new LabelSelectorRequirement(key, op, values));
            }
        }

        return new LabelSelectorSpec
        {
            MatchLabels = context.StringMap(selector, "matchLabels", path),
            MatchExpressions = requirements.ToImmutable(),
        };
    }
}
