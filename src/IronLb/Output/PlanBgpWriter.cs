using System.Globalization;
using System.Text.Json;
using IronLb.Core.Announcement;
using IronLb.Core.Planning;

namespace IronLb.Output;

/// <summary>
/// BGP mode in a plan: for every Service, which nodes send which prefixes to which peers with which LOCAL_PREF and
/// communities, or MetalLB's reason why not (notOwner, noLocalEndpoints, ...). Written only when the configuration
/// has BGPAdvertisements, so a Layer 2 plan reads exactly as before.
/// </summary>
internal static class PlanBgpWriter
{
    /// <summary>The BGP table: one row per route, and one per node (or Service) that announces nothing, with the reason.</summary>
    public static void WriteTable(PlanResult result, TextWriter writer)
    {
        if (!result.Services.Any(s => s.Bgp is not null))
        {
            return;
        }

        writer.WriteLine();
        writer.WriteLine("BGP");
        var table = new TextTable("SERVICE", "NODE", "PEER", "PREFIX", "LOCAL-PREF", "COMMUNITIES", "NOT ANNOUNCED");
        var rows = 0;
        foreach (var service in result.Services.Where(s => s.Bgp is not null))
        {
            var name = $"{service.Namespace}/{service.Name}";
            var bgp = service.Bgp!;
            if (bgp.Decision != BgpAnnounceDecision.Announce)
            {
                table.Add(name, "-", "-", "-", "-", "-", bgp.Decision.ToWire());
                rows++;
                continue;
            }

            if (bgp.Nodes.IsEmpty)
            {
                table.Add(name, "-", "-", "-", "-", "-", "(no nodes)");
                rows++;
            }

            foreach (var node in bgp.Nodes)
            {
                if (node.Decision != BgpAnnounceDecision.Announce)
                {
                    table.Add(name, node.Node, "-", "-", "-", "-", node.Decision.ToWire());
                    rows++;
                    continue;
                }

                foreach (var route in node.Routes)
                {
                    table.Add(name, node.Node, route.Peer, route.Prefix.ToString(), LocalPref(route), Communities(route), "");
                    rows++;
                }
            }
        }

        if (rows == 0)
        {
            writer.WriteLine("  (no LoadBalancer Services)");
            return;
        }

        table.Write(writer);
    }

    /// <summary>The Service's "bgp" member: announced or the reason, and per node its routes.</summary>
    public static void WriteJson(Utf8JsonWriter json, BgpServiceAnnouncement bgp)
    {
        json.WriteStartObject("bgp");
        WriteDecision(json, bgp.Decision);
        json.WriteStartArray("nodes");
        foreach (var node in bgp.Nodes)
        {
            json.WriteStartObject();
            json.WriteString("node", node.Node);
            WriteDecision(json, node.Decision);
            json.WriteStartArray("routes");
            foreach (var route in node.Routes)
            {
                json.WriteStartObject();
                json.WriteString("peer", route.Peer);
                json.WriteString("prefix", route.Prefix.ToString());
                if (route.LocalPref is { } localPref)
                {
                    json.WriteNumber("localPref", localPref);
                }
                else
                {
                    json.WriteNull("localPref");
                }

                json.WriteStartArray("communities");
                foreach (var community in route.Communities.Concat(route.LargeCommunities))
                {
                    json.WriteStringValue(community.ToString());
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteDecision(Utf8JsonWriter json, BgpAnnounceDecision decision)
    {
        json.WriteBoolean("announced", decision == BgpAnnounceDecision.Announce);
        json.WriteString("reason", decision == BgpAnnounceDecision.Announce ? null : decision.ToWire());
    }

    private static string LocalPref(BgpRoute route) => route.LocalPref is { } value ? value.ToString(CultureInfo.InvariantCulture) : "-";

    private static string Communities(BgpRoute route)
    {
        var all = route.Communities.Concat(route.LargeCommunities).Select(c => c.ToString()).ToList();
        return all.Count == 0 ? "-" : string.Join(',', all);
    }
}
