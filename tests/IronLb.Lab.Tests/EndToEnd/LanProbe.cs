using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using static IronLb.Testing.Network.Shell;

namespace IronLb.Lab.Tests.EndToEnd;

/// <summary>Asks a LAN who has an address, from the lab's client namespace on it: arping (IPv4) or ndisc6 (IPv6).</summary>
internal static partial class LanProbe
{
    /// <summary>The MACs of every answer to two probes (IPv4) or one solicitation collecting all advertisements
    /// (IPv6), lower case. One element per probe when exactly one node answers.</summary>
    public static async Task<(int Probes, List<string> Macs)> AskAsync(string clientNamespace, string device, IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            // With -w, arping stops after -c replies, so a second answerer shows as more replies than probes.
            var r = await RunAsync("ip", "netns", "exec", clientNamespace, "arping", "-c", "2", "-w", "4", "-I", device, address.ToString());
            var sent = ArpSent().Match(r.Stdout) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
            return (sent, [.. ArpReply().Matches(r.Stdout).Select(x => x.Groups[1].Value.ToLowerInvariant())]);
        }

        var n = await RunAsync("ip", "netns", "exec", clientNamespace, "ndisc6", "-m", "-n", "-r", "1", "-w", "1500", address.ToString(), device);
        return (1, [.. NdiscReply().Matches(n.Stdout).Select(x => x.Groups[1].Value.ToLowerInvariant())]);
    }

    [GeneratedRegex(@"reply from \S+ \[([0-9A-Fa-f:]{17})\]")]
    private static partial Regex ArpReply();

    [GeneratedRegex(@"Sent (\d+) probe")]
    private static partial Regex ArpSent();

    [GeneratedRegex(@"Target link-layer address: ([0-9A-Fa-f:]{17})")]
    private static partial Regex NdiscReply();
}
