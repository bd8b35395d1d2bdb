using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace IronLb.Deploy.Tests;

/// <summary>
/// deploy/crds is IronLB's own YAML, and every schema in it is MetalLB v0.16.1's: an object MetalLB accepts, IronLB
/// accepts, with the same defaults, and the reverse. MetalLB's published CRDs are read at test time from the shared
/// folder beside the repository (../shared/upstream), never copied in. Everything is compared except the prose:
/// types, required fields, enums, patterns, formats, defaults, bounds, x-kubernetes-* markers, CEL rules, versions
/// with their served, storage and deprecation flags, subresources, names and scope; printer columns are MetalLB's
/// plus our usage columns on ipaddresspools. The one schema difference is a named, optional addition
/// (<see cref="AddedFields"/>): a field MetalLB's objects never carry, so every one of them stays valid.
/// </summary>
public sealed class CrdSchemaTests
{
    private static readonly string[] Plurals =
    [
        "bfdprofiles", "bgpadvertisements", "bgppeers", "communities", "configurationstates", "ipaddresspools",
        "l2advertisements", "servicebgpstatuses", "servicel2statuses",
    ];

    /// <summary>The printer columns we add, after MetalLB's (kubectl get ipaddresspools shows the pool's usage).</summary>
    private static readonly Dictionary<string, string[]> AddedColumns = new(StringComparer.Ordinal)
    {
        ["ipaddresspools"] = [".status.assignedIPv4", ".status.availableIPv4", ".status.assignedIPv6", ".status.availableIPv6"],
    };

    /// <summary>
    /// The schema fields we add, by path, each absent from MetalLB's schema and optional: ServiceL2Status's conditions
    /// say why a Service's address is or is not answered (an address conflict, #16).
    /// </summary>
    private static readonly Dictionary<string, string[]> AddedFields = new(StringComparer.Ordinal)
    {
        ["servicel2statuses"] = ["v1beta1.schema.openAPIV3Schema.properties.status.properties.conditions"],
    };

    public static TheoryData<string> Crds => [.. Plurals];

    [Fact]
    public void Deploy_has_a_crd_for_every_metallb_crd_and_no_other()
    {
        var upstream = UpstreamOrSkip();
        Assert.Equal(Plurals.Select(p => $"metallb.io_{p}.yaml"), Directory.EnumerateFiles(upstream, "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(Plurals.Select(p => $"metallb.io_{p}.yaml"), Directory.EnumerateFiles(Path.Combine(RepoPaths.Deploy, "crds"), "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Crds))]
    public void Group_names_scope_and_versions_are_metallbs(string plural)
    {
        var (ours, metallb) = Load(plural);
        foreach (var field in new[] { "group", "names", "scope" })
        {
            AssertSame($"spec.{field}", Rendered.At(ours, "spec", field), Rendered.At(metallb, "spec", field));
        }

        var ourVersions = Versions(ours);
        var theirVersions = Versions(metallb);
        Assert.Equal(theirVersions.Select(v => Rendered.Scalar(v, "name")), ourVersions.Select(v => Rendered.Scalar(v, "name")));
        foreach (var (our, their) in ourVersions.Zip(theirVersions))
        {
            foreach (var field in new[] { "served", "storage", "deprecated", "deprecationWarning", "subresources" })
            {
                AssertSame($"{Rendered.Scalar(their, "name")}.{field}", Rendered.At(our, field), Rendered.At(their, field));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Crds))]
    public void Every_schema_is_metallbs_with_descriptions_ignored(string plural)
    {
        var (ours, metallb) = Load(plural);
        var added = AddedFields.GetValueOrDefault(plural) ?? [];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (our, their) in Versions(ours).Zip(Versions(metallb)))
        {
            AssertSame($"{Rendered.Scalar(their, "name")}.schema", Rendered.At(our, "schema"), Rendered.At(their, "schema"), added, seen);
        }

        // The list is exact: an addition that went away (or moved) must leave the list too.
        Assert.Equal(added.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Servicel2status_conditions_are_the_standard_condition_list_and_optional()
    {
        // metav1.Condition's list as controller-gen renders it, taken from MetalLB's own ConfigurationState.
        var (_, states) = Load("configurationstates");
        var standard = Rendered.At(Assert.Single(Versions(states)), "schema", "openAPIV3Schema", "properties", "status", "properties", "conditions");
        Assert.NotNull(standard);

        var ours = Assert.Single(Versions(Load("servicel2statuses").Ours));
        var status = Rendered.At(ours, "schema", "openAPIV3Schema", "properties", "status");
        AssertSame("servicel2statuses status.conditions", Rendered.At(status!, "properties", "conditions"), standard);
        Assert.Null(Rendered.At(status!, "required"));
    }

    [Theory]
    [MemberData(nameof(Crds))]
    public void Printer_columns_are_metallbs_then_ours(string plural)
    {
        var (ours, metallb) = Load(plural);
        foreach (var (our, their) in Versions(ours).Zip(Versions(metallb)))
        {
            var ourColumns = Sequence(Rendered.At(our, "additionalPrinterColumns"));
            var theirColumns = Sequence(Rendered.At(their, "additionalPrinterColumns"));
            Assert.True(ourColumns.Count >= theirColumns.Count, $"{plural} {Rendered.Scalar(their, "name")}: a MetalLB printer column is missing");
            for (var i = 0; i < theirColumns.Count; i++)
            {
                AssertSame($"{Rendered.Scalar(their, "name")}.additionalPrinterColumns[{i}]", ourColumns[i], theirColumns[i]);
            }

            Assert.Equal(AddedColumns.GetValueOrDefault(plural) ?? [], ourColumns.Skip(theirColumns.Count).Select(c => Rendered.Scalar(c, "jsonPath")));
        }
    }

    [Theory]
    [MemberData(nameof(Crds))]
    public void Descriptions_are_ours_and_cover_every_field_metallb_describes(string plural)
    {
        var (ours, metallb) = Load(plural);
        foreach (var (our, their) in Versions(ours).Zip(Versions(metallb)))
        {
            var ourText = Descriptions(Rendered.At(our, "schema"), "");
            var theirText = Descriptions(Rendered.At(their, "schema"), "");
            Assert.Empty(theirText.Keys.Except(ourText.Keys).Select(p => $"{plural} {Rendered.Scalar(their, "name")}: no description at {p}"));
            Assert.Empty(ourText.Where(d => theirText.GetValueOrDefault(d.Key) == d.Value).Select(d => $"{plural}: MetalLB's description at {d.Key}"));
        }
    }

    [Fact]
    public void Bgppeer_keeps_both_versions_and_converts_without_metallbs_webhook()
    {
        var (ours, _) = Load("bgppeers");
        Assert.Equal(
            [("v1beta1", "true", "false", "true"), ("v1beta2", "true", "true", null)],
            Versions(ours).Select(v => (Rendered.Scalar(v, "name"), Rendered.Scalar(v, "served"), Rendered.Scalar(v, "storage"), Rendered.Scalar(v, "deprecated"))));
        // MetalLB's webhook leaves with MetalLB; the two versions share every v1beta1 field's name and shape.
        Assert.Equal("None", Rendered.Scalar(Rendered.At(ours, "spec", "conversion")!, "strategy"));
    }

    private static string UpstreamOrSkip()
    {
        var upstream = Path.GetFullPath(Path.Combine(RepoPaths.Root, "..", "shared", "upstream", "metallb-v0.16.1-crds"));
        Requirements.RequireOrFailInCi(Directory.Exists(upstream) ? null : $"MetalLB's published CRDs are expected in {upstream} (the shared folder beside the repository)");

        return upstream;
    }

    private static (YamlMappingNode Ours, YamlMappingNode Metallb) Load(string plural)
    {
        var upstream = UpstreamOrSkip();
        return (Document(Path.Combine(RepoPaths.Deploy, "crds", $"metallb.io_{plural}.yaml")), Document(Path.Combine(upstream, $"metallb.io_{plural}.yaml")));
    }

    private static YamlMappingNode Document(string path)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(path)));
        return Assert.IsType<YamlMappingNode>(Assert.Single(stream.Documents).RootNode);
    }

    private static List<YamlNode> Versions(YamlMappingNode crd) => Sequence(Rendered.At(crd, "spec", "versions"));

    private static List<YamlNode> Sequence(YamlNode? node) => node is YamlSequenceNode s ? [.. s.Children] : [];

    /// <summary>
    /// Equal as the API server reads them, descriptions aside; the failure lists every difference by path. Ours may have
    /// a field MetalLB's lacks only at a path in <c>added</c>; each one met goes into <c>seen</c>.
    /// </summary>
    private static void AssertSame(string where, YamlNode? ours, YamlNode? metallb, IReadOnlyCollection<string>? added = null, HashSet<string>? seen = null)
    {
        var differences = new List<string>();
        Compare(where, ours, metallb, differences, added ?? [], seen ?? []);
        Assert.True(differences.Count == 0, $"differs from MetalLB's:\n{string.Join('\n', differences)}");
    }

    private static void Compare(string path, YamlNode? ours, YamlNode? metallb, List<string> differences, IReadOnlyCollection<string> added, HashSet<string> seen)
    {
        switch (ours, metallb)
        {
            case (null, null):
                return;
            case (YamlMappingNode a, YamlMappingNode b):
                var keys = Keys(a).Union(Keys(b)).Order(StringComparer.Ordinal);
                foreach (var key in keys)
                {
                    var child = $"{path}.{key}";
                    if (Value(b, key) is null && added.Contains(child))
                    {
                        seen.Add(child);
                        continue;
                    }

                    Compare(child, Value(a, key), Value(b, key), differences, added, seen);
                }

                return;
            case (YamlSequenceNode a, YamlSequenceNode b):
                if (a.Children.Count != b.Children.Count)
                {
                    differences.Add($"{path}: {a.Children.Count} items, MetalLB's has {b.Children.Count}");
                    return;
                }

                for (var i = 0; i < a.Children.Count; i++)
                {
                    Compare($"{path}[{i}]", a.Children[i], b.Children[i], differences, added, seen);
                }

                return;
            case (YamlScalarNode a, YamlScalarNode b) when Equals(Scalar(a), Scalar(b)):
                return;
            default:
                differences.Add($"{path}: ours {Show(ours)}, MetalLB's {Show(metallb)}");
                return;
        }
    }

    /// <summary>Keys that matter: a description is prose (a field that happens to be called "description" is a
    /// mapping, a schema of its own, and stays).</summary>
    private static IEnumerable<string> Keys(YamlMappingNode map) =>
        map.Children.Where(c => !(c.Key is YamlScalarNode { Value: "description" } && c.Value is YamlScalarNode)).Select(c => ((YamlScalarNode)c.Key).Value!);

    private static YamlNode? Value(YamlMappingNode map, string key) =>
        Keys(map).Contains(key) ? map.Children[new YamlScalarNode(key)] : null;

    /// <summary>A scalar as YAML 1.2's core schema types it: a plain true is a boolean, a quoted "true" a string.</summary>
    private static object? Scalar(YamlScalarNode node)
    {
        var text = node.Value ?? "";
        if (node.Style is not ScalarStyle.Plain)
        {
            return text;
        }

        return text switch
        {
            "" or "~" or "null" or "Null" or "NULL" => null,
            "true" or "True" or "TRUE" => true,
            "false" or "False" or "FALSE" => false,
            _ when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) => n,
            _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            _ => text,
        };
    }

    private static string Show(YamlNode? node) => node switch
    {
        null => "absent",
        YamlScalarNode s => $"{Scalar(s) ?? "null"} ({Scalar(s)?.GetType().Name ?? "null"})",
        YamlSequenceNode s => $"a list of {s.Children.Count}",
        _ => "a mapping",
    };

    /// <summary>Every scalar description under a node, by path.</summary>
    private static Dictionary<string, string> Descriptions(YamlNode? node, string path)
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (key, value) in map.Children)
                {
                    var name = ((YamlScalarNode)key).Value!;
                    if (name == "description" && value is YamlScalarNode text)
                    {
                        found[path] = text.Value ?? "";
                    }
                    else
                    {
                        foreach (var d in Descriptions(value, $"{path}.{name}"))
                        {
                            found[d.Key] = d.Value;
                        }
                    }
                }

                break;
            case YamlSequenceNode list:
                for (var i = 0; i < list.Children.Count; i++)
                {
                    foreach (var d in Descriptions(list.Children[i], $"{path}[{i}]"))
                    {
                        found[d.Key] = d.Value;
                    }
                }

                break;
        }

        return found;
    }
}
