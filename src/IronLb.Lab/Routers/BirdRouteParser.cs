using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace IronLb.Lab.Routers;

/// <summary>
/// Reads `birdc show route all`: a route line (prefix, type, [protocol time], best mark, preference, origin), further
/// paths to the same prefix on lines that start with blanks, and under each path indented "via" and "Key: value"
/// lines. Total: a line that fits none of these, or an attribute value that does not parse, is a counted drop.
/// </summary>
internal static partial class BirdRouteParser
{
    public static ImmutableArray<RoutePath> Parse(string text, List<string> drops)
    {
        var paths = ImmutableArray.CreateBuilder<RoutePath>();
        IPNetwork? prefix = null;
        Draft? draft = null;
        var number = 0;
        foreach (var line in text.Split('\n'))
        {
            number++;
            var trimmed = line.TrimEnd('\r');
            if (trimmed.Trim().Length == 0 || trimmed.StartsWith("BIRD ", StringComparison.Ordinal) || TableLine().IsMatch(trimmed))
            {
                continue;
            }

            if (RouteLine().Match(trimmed) is { Success: true } route)
            {
                Flush(paths, prefix, draft);
                draft = null;
                if (route.Groups["prefix"].Success)
                {
                    prefix = IPNetwork.TryParse(route.Groups["prefix"].Value, out var p) ? p : null;
                    if (prefix is null)
                    {
                        drops.Add($"line {number}: '{route.Groups["prefix"].Value}' is not a prefix");
                        continue;
                    }
                }
                else if (prefix is null)
                {
                    drops.Add($"line {number}: a further path before any prefix");
                    continue;
                }

                draft = new Draft { Best = route.Groups["best"].Value == "*" };
                continue;
            }

            if (draft is null)
            {
                drops.Add($"line {number}: detail outside a route: {trimmed.Trim()}");
            }
            else if (ViaLine().Match(trimmed) is { Success: true } via)
            {
                draft.Via ??= IPAddress.TryParse(via.Groups[1].Value, out var gateway) ? gateway : null;
            }
            else if (AttributeLine().Match(trimmed) is { Success: true } attribute)
            {
                if (!draft.Apply(attribute.Groups["key"].Value, attribute.Groups["value"].Value.Trim()))
                {
                    drops.Add($"line {number}: {attribute.Groups["key"].Value} value '{attribute.Groups["value"].Value.Trim()}' does not parse");
                }
            }
            else
            {
                drops.Add($"line {number}: not a route, path or attribute: {trimmed.Trim()}");
            }
        }

        Flush(paths, prefix, draft);
        return paths.ToImmutable();
    }

    private static void Flush(ImmutableArray<RoutePath>.Builder paths, IPNetwork? prefix, Draft? draft)
    {
        if (prefix is { } p && draft is not null)
        {
            paths.Add(new RoutePath(p, draft.NextHop ?? draft.Via, draft.AsPath, draft.LocalPref, draft.Communities, draft.LargeCommunities, draft.Best));
        }
    }

    /// <summary>"(65000,100) (65000,200)" as ["65000:100", "65000:200"]; null when a group is not all numbers.</summary>
    internal static ImmutableArray<string>? Tuples(string value)
    {
        var found = ImmutableArray.CreateBuilder<string>();
        var rest = TupleGroup().Replace(value, m =>
        {
            var parts = m.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries);
            found.Add(parts.All(x => uint.TryParse(x, NumberStyles.None, CultureInfo.InvariantCulture, out _)) ? string.Join(':', parts) : "");
            return "";
        });
        return rest.Trim().Length == 0 && found.All(f => f.Length > 0) ? found.ToImmutable() : null;
    }

    // "192.0.2.0/25   unicast [frr4 10:40:15.675] * (100) [AS64500i]"; a further path has blanks instead of the prefix.
    [GeneratedRegex(@"^(?:(?<prefix>\S+)\s+|\s+)(?<type>unicast|blackhole|unreachable|prohibit|multipath)\s+\[(?<proto>\S+)[^\]]*\]\s*(?<best>\*)?\s*\((?<pref>\d+)(?:/\S+)?\)(?:\s+\[[^\]]*\])?\s*$")]
    private static partial Regex RouteLine();

    [GeneratedRegex(@"^Table \S+:$")]
    private static partial Regex TableLine();

    [GeneratedRegex(@"^\s+via (\S+) on \S+(?:\s+weight \d+)?\s*$")]
    private static partial Regex ViaLine();

    [GeneratedRegex(@"^\s+(?<key>[A-Za-z][A-Za-z0-9_.]*): ?(?<value>.*)$")]
    private static partial Regex AttributeLine();

    [GeneratedRegex(@"\(([^()]*)\)")]
    private static partial Regex TupleGroup();

    /// <summary>A path while its lines are read.</summary>
    private sealed class Draft
    {
        public bool Best { get; init; }

        public IPAddress? Via { get; set; }

        public IPAddress? NextHop { get; private set; }

        public ImmutableArray<uint> AsPath { get; private set; } = [];

        public uint? LocalPref { get; private set; }

        public ImmutableArray<string> Communities { get; private set; } = [];

        public ImmutableArray<string> LargeCommunities { get; private set; } = [];

        /// <summary>Takes the attributes a RoutePath holds; the rest (Type, origin, MED) are known and not kept. False when a value does not parse.</summary>
        public bool Apply(string key, string value)
        {
            switch (key)
            {
                case "BGP.next_hop":
                    // IPv6 lists the global next hop, then the link-local one.
                    NextHop = IPAddress.TryParse(value.Split(' ')[0], out var hop) ? hop : null;
                    return NextHop is not null;
                case "BGP.as_path":
                    var asns = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    AsPath = [.. asns.Select(a => uint.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0)];
                    return asns.All(a => uint.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out _));
                case "BGP.local_pref":
                    LocalPref = uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var lp) ? lp : null;
                    return LocalPref is not null;
                case "BGP.community":
                    Communities = Tuples(value) ?? [];
                    return Tuples(value) is not null;
                case "BGP.large_community":
                    LargeCommunities = Tuples(value) ?? [];
                    return Tuples(value) is not null;
                default:
                    return true;
            }
        }
    }
}
