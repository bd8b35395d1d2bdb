using System.Net;
using System.Text.Json;

namespace IronLb.Bench.BgpInstall;

/// <summary>What the BGP benches read from FRR's `show bgp summary json`; a reading that is not the JSON expected counts as "not yet".</summary>
internal static class FrrSummary
{
    /// <summary>Whether <paramref name="peer"/>'s session in <paramref name="family"/> (ipv4Unicast, ipv6Unicast) is Established, and the prefixes it sent.</summary>
    public static (bool Established, int Received) Peer(string summaryJson, string family, IPAddress peer)
    {
        try
        {
            using var document = JsonDocument.Parse(summaryJson);
            return document.RootElement.TryGetProperty(family, out var f) && f.TryGetProperty("peers", out var peers)
                && peers.TryGetProperty(peer.ToString(), out var p)
                && p.TryGetProperty("state", out var s) && s.GetString() == "Established"
                && p.TryGetProperty("pfxRcd", out var received)
                ? (true, received.GetInt32()) : (false, 0);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return (false, 0);
        }
    }

    /// <summary>The family's ribCount (paths' destinations in bgpd's table), or null when the summary does not say.</summary>
    public static int? RibCount(string summaryJson, string family)
    {
        try
        {
            using var document = JsonDocument.Parse(summaryJson);
            return document.RootElement.TryGetProperty(family, out var f) && f.TryGetProperty("ribCount", out var count) ? count.GetInt32() : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
