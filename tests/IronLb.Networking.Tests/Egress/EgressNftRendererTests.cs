using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using IronLb.Networking.Egress;
using static IronLb.Networking.Tests.Egress.EgressSets;

namespace IronLb.Networking.Tests.Egress;

/// <summary>
/// The nftables batch for each row's rule set, against a golden file in Goldens/ (one command per line).
/// EGRESS_UPDATE_GOLDENS=1 rewrites the files from the renderer; review the diff before committing it.
/// </summary>
public sealed class EgressNftRendererTests
{
    public static TheoryData<string> Rows => [.. Cases.Keys.Order(StringComparer.Ordinal)];

    private static readonly Dictionary<string, EgressRuleSet> Cases = new(StringComparer.Ordinal)
    {
        ["empty"] = EgressRuleSet.Empty,
        ["one-translate"] = Set(Translate("mail/smtpout", "192.0.2.200", "198.51.100.65", "198.51.100.66")),
        ["one-steer"] = Set(Steer("mail/smtpout", "192.0.2.200", "192.0.2.12", "198.51.100.65")),
        ["both-families"] = Set(
            Translate("mail/smtpout", "192.0.2.200", "198.51.100.65"),
            Translate("mail/smtpout", "2001:db8:200::25", "2001:db8:100::65")),
        ["same-next-hop"] = Set(
            Steer("mail/smtpout", "192.0.2.200", "192.0.2.12", "198.51.100.65"),
            Steer("web/proxy", "192.0.2.201", "192.0.2.12", "198.51.100.70")),
        ["two-next-hops"] = Set(
            Steer("mail/smtpout", "192.0.2.200", "192.0.2.13", "198.51.100.65"),
            Steer("web/proxy", "192.0.2.201", "192.0.2.12", "198.51.100.70"),
            Steer("web/proxy", "2001:db8:200::80", "2001:db8:2::12", "2001:db8:100::70")),
        // one-translate after its endpoints changed: only the rule's source set differs.
        ["endpoints-changed"] = Set(Translate("mail/smtpout", "192.0.2.200", "198.51.100.66", "198.51.100.67", "198.51.100.68")),
        // one-translate after the address moved to another node: translated there, steered here.
        ["moved-to-steer"] = Set(Steer("mail/smtpout", "192.0.2.200", "192.0.2.12", "198.51.100.65", "198.51.100.66")),
        ["translate-and-steer"] = Set(
            Translate("mail/smtpout", "192.0.2.200", "198.51.100.65"),
            Steer("web/proxy", "2001:db8:200::80", "2001:db8:2::12", "2001:db8:100::70", "2001:db8:100::71")),
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Renders_the_golden_batch(string row)
    {
        var rendered = Normalise(EgressNftRenderer.Render(Cases[row], EgressKernelOptions.Default));
        var path = Path.Combine(Repository.Root, "tests", "IronLb.Networking.Tests", "Egress", "Goldens", row + ".json");
        if (Environment.GetEnvironmentVariable("EGRESS_UPDATE_GOLDENS") == "1")
        {
            File.WriteAllText(path, rendered);
        }

        Assert.Equal(Normalise(File.ReadAllText(path)), rendered);
    }

    [Fact]
    public void Rendering_is_deterministic() =>
        Assert.Equal(
            EgressNftRenderer.Render(Cases["two-next-hops"], EgressKernelOptions.Default),
            EgressNftRenderer.Render(Cases["two-next-hops"] with { }, EgressKernelOptions.Default));

    [Fact]
    public void Marks_stay_inside_the_configured_mask()
    {
        var options = new EgressKernelOptions { FwmarkMask = 0x0000ff00 };
        var json = EgressNftRenderer.Render(Cases["two-next-hops"], options);
        // (meta mark & ~0x0000ff00) | 0x100: bits outside the mask are kept, the value sits inside it.
        Assert.Contains($"{{\"&\":[{{\"meta\":{{\"key\":\"mark\"}}}},{~0x0000ff00u}]}},{0x100}", json, StringComparison.Ordinal);
        Assert.Contains($",{0x200}]", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_batch_starts_by_replacing_the_whole_table()
    {
        var commands = JsonNode.Parse(EgressNftRenderer.Render(Cases["one-translate"], EgressKernelOptions.Default))!["nftables"]!.AsArray();
        Assert.Equal(["add", "delete", "add"], commands.Take(3).Select(c => c!.AsObject().Single().Key));
        Assert.All(commands, c => Assert.Equal("ironlb", (string?)(c!.AsObject().Single().Value!.AsObject().Single().Value!["table"] ?? c.AsObject().Single().Value!.AsObject().Single().Value!["name"])));
    }

    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>One command per line, each compact: readable goldens, and whitespace never matters.</summary>
    internal static string Normalise(string json)
    {
        var commands = JsonNode.Parse(json)!["nftables"]!.AsArray();
        var text = new StringBuilder("{\"nftables\": [\n");
        for (var i = 0; i < commands.Count; i++)
        {
            text.Append("  ").Append(commands[i]!.ToJsonString(Compact))
                .Append(i + 1 < commands.Count ? ",\n" : "\n");
        }

        return text.Append("]}\n").ToString();
    }
}
