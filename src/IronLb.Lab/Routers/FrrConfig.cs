using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace IronLb.Lab.Routers;

/// <summary>Writes bgpd.conf for a <see cref="RouterSpec"/>: pure text, so a table test can read what FRR will get.</summary>
internal static class FrrConfig
{
    public static string Bgpd(RouterSpec spec)
    {
        var text = new StringBuilder();
        // datacenter: 10 s connect retry (traditional waits 120 s when the first dial finds nobody listening).
        text.AppendLine("frr defaults datacenter");
        text.AppendLine(CultureInfo.InvariantCulture, $"hostname {spec.Name}");
        text.AppendLine("!");
        for (var i = 0; i < spec.Announce.Length; i++)
        {
            if (HasAttributes(spec.Announce[i]))
            {
                AppendRouteMap(text, RouteMapName(i), spec.Announce[i]);
            }
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"router bgp {spec.Asn}");
        text.AppendLine(CultureInfo.InvariantCulture, $" bgp router-id {spec.RouterId}");
        // Test routers accept and pass on everything: policy is not what these tests are about.
        text.AppendLine(" no bgp ebgp-requires-policy");
        // `network` announces the test prefixes without a matching route in the router's own table.
        text.AppendLine(" no bgp network import-check");
        // Only the families a neighbour is activated for below; FRR would otherwise put every neighbour in IPv4.
        text.AppendLine(" no bgp default ipv4-unicast");
        // ECMP across neighbours of different AS numbers (every node speaker may have its own).
        text.AppendLine(" bgp bestpath as-path multipath-relax");
        foreach (var n in spec.Neighbours)
        {
            AppendNeighbour(text, n);
        }

        foreach (var family in new[] { AddressFamily.InterNetwork, AddressFamily.InterNetworkV6 })
        {
            AppendFamily(text, spec, family);
        }

        text.AppendLine("exit");
        return text.ToString();
    }

    /// <summary>zebra needs no configuration of its own; the file exists so it does not look for the system's.</summary>
    public static string Zebra(RouterSpec spec) => $"hostname {spec.Name}\n";

    /// <summary>Plain prefixes need no route-map: the bench announces ten thousand of them.</summary>
    private static bool HasAttributes(AnnouncedPrefix prefix) =>
        !prefix.Communities.IsEmpty || !prefix.LargeCommunities.IsEmpty || prefix.LocalPref is not null;

    private static string RouteMapName(int index) => $"ilb-announce-{index}";

    private static void AppendRouteMap(StringBuilder text, string name, AnnouncedPrefix prefix)
    {
        text.AppendLine(CultureInfo.InvariantCulture, $"route-map {name} permit 10");
        if (!prefix.Communities.IsEmpty)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $" set community {string.Join(' ', prefix.Communities)}");
        }

        if (!prefix.LargeCommunities.IsEmpty)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $" set large-community {string.Join(' ', prefix.LargeCommunities)}");
        }

        if (prefix.LocalPref is { } localPref)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $" set local-preference {localPref}");
        }

        text.AppendLine("exit");
        text.AppendLine("!");
    }

    private static void AppendNeighbour(StringBuilder text, BgpNeighbour n)
    {
        text.AppendLine(CultureInfo.InvariantCulture, $" neighbor {n.Address} remote-as {n.RemoteAs}");
        if (n.Password is { } password)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $" neighbor {n.Address} password {password}");
        }

        if (n.Port is { } port)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $" neighbor {n.Address} port {port}");
        }

        if (n.Passive)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $" neighbor {n.Address} passive");
        }

        // Retry a refused dial soon: the peer's daemon may start a moment after ours.
        text.AppendLine(CultureInfo.InvariantCulture, $" neighbor {n.Address} timers connect 2");
    }

    private static void AppendFamily(StringBuilder text, RouterSpec spec, AddressFamily family)
    {
        var name = family == AddressFamily.InterNetwork ? "ipv4" : "ipv6";
        text.AppendLine(CultureInfo.InvariantCulture, $" address-family {name} unicast");
        text.AppendLine(CultureInfo.InvariantCulture, $"  maximum-paths {spec.MaximumPaths}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  maximum-paths ibgp {spec.MaximumPaths}");
        foreach (var n in spec.Neighbours.Where(n => n.CarriedFamilies.Contains(family)))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  neighbor {n.Address} activate");
            text.AppendLine(CultureInfo.InvariantCulture, $"  neighbor {n.Address} send-community all");
        }

        for (var i = 0; i < spec.Announce.Length; i++)
        {
            if (spec.Announce[i].Prefix.BaseAddress.AddressFamily == family)
            {
                var routeMap = HasAttributes(spec.Announce[i]) ? $" route-map {RouteMapName(i)}" : "";
                text.AppendLine(CultureInfo.InvariantCulture, $"  network {spec.Announce[i].Prefix}{routeMap}");
            }
        }

        text.AppendLine(" exit-address-family");
    }
}
