using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace IronLb.Lab.Routers;

/// <summary>
/// Reads the BGP neighbours out of `birdc show protocols all`. A protocol starts on an unindented line (name, protocol,
/// table, state, since, info); under a BGP protocol its "BGP state", "Neighbor address" and each channel's "Routes"
/// count. The many other indented details (capabilities, timers, filters) are BIRD's to show and ours to pass over.
/// Total: an unindented line that is no protocol header, or a value of a line we read that does not parse, is a counted drop.
/// </summary>
internal static partial class BirdProtocolParser
{
    public static ImmutableArray<NeighbourState> Parse(string text, List<string> drops)
    {
        var neighbours = ImmutableArray.CreateBuilder<NeighbourState>();
        Draft? bgp = null;
        var number = 0;
        foreach (var line in text.Split('\n'))
        {
            number++;
            var trimmed = line.TrimEnd('\r');
            if (trimmed.Trim().Length == 0 || trimmed.StartsWith("BIRD ", StringComparison.Ordinal) || trimmed.StartsWith("Name ", StringComparison.Ordinal))
            {
                continue;
            }

            if (!char.IsWhiteSpace(trimmed[0]))
            {
                Flush(neighbours, bgp, drops);
                bgp = null;
                if (HeaderLine().Match(trimmed) is not { Success: true } header)
                {
                    drops.Add($"line {number}: not a protocol header: {trimmed}");
                }
                else if (header.Groups["proto"].Value == "BGP")
                {
                    bgp = new Draft(header.Groups["name"].Value, header.Groups["info"].Value.Trim());
                }

                continue;
            }

            if (bgp is null || DetailLine().Match(trimmed) is not { Success: true } detail)
            {
                continue;
            }

            var value = detail.Groups["value"].Value.Trim();
            switch (detail.Groups["key"].Value)
            {
                case "BGP state":
                    bgp.State = value;
                    break;
                case "Neighbor address":
                    bgp.Address = IPAddress.TryParse(value, out var address) ? address : null;
                    if (bgp.Address is null)
                    {
                        drops.Add($"line {number}: neighbour address '{value}' does not parse");
                    }

                    break;
                case "Routes":
                    if (RoutesValue().Match(value) is { Success: true } routes)
                    {
                        bgp.Imported += int.Parse(routes.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture);
                    }
                    else
                    {
                        drops.Add($"line {number}: route counts '{value}' do not parse");
                    }

                    break;
            }
        }

        Flush(neighbours, bgp, drops);
        return neighbours.ToImmutable();
    }

    private static void Flush(ImmutableArray<NeighbourState>.Builder neighbours, Draft? bgp, List<string> drops)
    {
        if (bgp is null)
        {
            return;
        }

        if (bgp.Address is null)
        {
            drops.Add($"protocol {bgp.Name}: no neighbour address");
            return;
        }

        // A session that is down shows no "BGP state" line, only the header's info ("Active", "Connect", an error).
        neighbours.Add(new NeighbourState(bgp.Address, bgp.State ?? (bgp.Info.Length > 0 ? bgp.Info : "Down"), bgp.Imported));
    }

    // "frr4       BGP        ---        up     10:40:19.562  Established"
    [GeneratedRegex(@"^(?<name>\S+)\s+(?<proto>\S+)\s+(?<table>\S+)\s+(?<state>up|down|start|flush|stop)\s+(?<since>\S+(?: \S+:\S+)?)(?<info>.*)$")]
    private static partial Regex HeaderLine();

    [GeneratedRegex(@"^\s+(?<key>[A-Za-z][A-Za-z ]*?):\s*(?<value>.*)$")]
    private static partial Regex DetailLine();

    [GeneratedRegex(@"^(\d+) imported, \d+ (?:filtered, \d+ )?exported(?:, \d+ preferred)?$")]
    private static partial Regex RoutesValue();

    private sealed class Draft(string name, string info)
    {
        public string Name => name;

        public string Info => info;

        public string? State { get; set; }

        public IPAddress? Address { get; set; }

        public int Imported { get; set; }
    }
}
