using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace IronLb.Lab.Routers;

/// <summary>
/// Writes bird.conf for a <see cref="RouterSpec"/>: one BGP protocol per neighbour, the announced prefixes as static
/// routes carrying their attributes, and kernel protocols that merge equal paths, so ECMP shows in `ip route`.
/// </summary>
internal static class BirdConfig
{
    private const string Announce4 = "ilb_announce4";
    private const string Announce6 = "ilb_announce6";

    public static string Write(RouterSpec spec)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"router id {spec.RouterId};");
        // Without the device protocol BIRD knows no interface and so no directly reachable next hop.
        text.AppendLine("protocol device { }");
        foreach (var (family, channel) in new[] { ("4", "ipv4"), ("6", "ipv6") })
        {
            // merge paths: equal BGP routes from several neighbours become one multipath kernel route.
            text.AppendLine(CultureInfo.InvariantCulture, $"protocol kernel kernel{family} {{ {channel} {{ export all; }}; merge paths on limit {spec.MaximumPaths}; }}");
        }

        AppendStatic(text, spec, Announce4, "ipv4", AddressFamily.InterNetwork);
        AppendStatic(text, spec, Announce6, "ipv6", AddressFamily.InterNetworkV6);
        for (var i = 0; i < spec.Neighbours.Length; i++)
        {
            AppendNeighbour(text, spec, $"peer{i}", spec.Neighbours[i]);
        }

        return text.ToString();
    }

    /// <summary>"65000:100" as BIRD's pair "(65000,100)"; "1:2:3" as the triple "(1,2,3)".</summary>
    public static string Tuple(string community) => $"({community.Replace(':', ',')})";

    private static void AppendStatic(StringBuilder text, RouterSpec spec, string name, string channel, AddressFamily family)
    {
        text.AppendLine(CultureInfo.InvariantCulture, $"protocol static {name} {{");
        text.AppendLine(CultureInfo.InvariantCulture, $"  {channel};");
        foreach (var prefix in spec.Announce.Where(p => p.Prefix.BaseAddress.AddressFamily == family))
        {
            // A blackhole: the prefix needs no next hop of its own; BGP sends this router's address instead.
            text.Append(CultureInfo.InvariantCulture, $"  route {prefix.Prefix} blackhole {{");
            foreach (var community in prefix.Communities)
            {
                text.Append(CultureInfo.InvariantCulture, $" bgp_community.add({Tuple(community)});");
            }

            foreach (var community in prefix.LargeCommunities)
            {
                text.Append(CultureInfo.InvariantCulture, $" bgp_large_community.add({Tuple(community)});");
            }

            if (prefix.LocalPref is { } localPref)
            {
                text.Append(CultureInfo.InvariantCulture, $" bgp_local_pref = {localPref};");
            }

            text.AppendLine(" };");
        }

        text.AppendLine("}");
    }

    private static void AppendNeighbour(StringBuilder text, RouterSpec spec, string name, BgpNeighbour n)
    {
        text.AppendLine(CultureInfo.InvariantCulture, $"protocol bgp {name} {{");
        var local = spec.ListenAddresses.FirstOrDefault(a => a.AddressFamily == n.Address.AddressFamily);
        text.AppendLine(CultureInfo.InvariantCulture, $"  local {(local is null ? "" : local + " ")}as {spec.Asn};");
        var port = n.Port is { } p ? $" port {p}" : "";
        text.AppendLine(n.RemoteAs.Kind switch
        {
            RemoteAsKind.Number => $"  neighbor {n.Address}{port} as {n.RemoteAs.Number};",
            RemoteAsKind.Internal => $"  neighbor {n.Address}{port} as {spec.Asn};",
            _ => $"  neighbor {n.Address}{port} external;",
        });
        if (n.Password is { } password)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  password \"{password}\";");
        }

        if (n.Passive)
        {
            text.AppendLine("  passive on;");
        }

        // Quick retries, so a peer that starts a moment later, or a refused first try, costs seconds, not minutes.
        text.AppendLine("  connect retry time 2; connect delay time 1; error wait time 1, 5;");
        // Every neighbour is on a shared link; BIRD would otherwise take an iBGP one for multihop and resolve its
        // next hops recursively through routes no test router has.
        text.AppendLine("  direct;");
        foreach (var family in n.CarriedFamilies)
        {
            var (channel, statics) = family == AddressFamily.InterNetwork ? ("ipv4", Announce4) : ("ipv6", Announce6);
            text.AppendLine(CultureInfo.InvariantCulture, $"  {channel} {{ import all; export where proto = \"{statics}\"; next hop self; }};");
        }

        text.AppendLine("}");
    }
}
