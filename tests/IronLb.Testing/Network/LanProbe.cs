using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace IronLb.Testing.Network;

/// <summary>
/// Asks a LAN who has an address, from a namespace on it, with the kernel's own tools: arping (IPv4) and ndisc6
/// (IPv6). MACs come back lower case, one per answer, so a second answerer shows as an extra element.
/// </summary>
public static partial class LanProbe
{
    /// <summary>
    /// Probes sent and the MACs of the replies. With -w, arping stops once it has <paramref name="count"/> replies,
    /// so a duplicate answer shows up as fewer probes than replies.
    /// </summary>
    public static async Task<(int Sent, List<string> Replies)> ArpingAsync(string ns, string device, string ip, int count, int wait = 2)
    {
        var r = await ProcessRunner.RunAsync("ip", "netns", "exec", ns, "arping", "-c", count.ToString(CultureInfo.InvariantCulture),
            "-w", (count + wait).ToString(CultureInfo.InvariantCulture), "-I", device, ip).ConfigureAwait(false);
        var sent = ArpSent().Match(r.Stdout) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
        return (sent, [.. ArpReply().Matches(r.Stdout).Select(x => x.Groups[1].Value.ToLowerInvariant())]);
    }

    /// <summary>ndisc6 in "all responses" mode, one attempt: every advertisement it saw, as MACs.</summary>
    public static async Task<List<string>> Ndisc6Async(string ns, string device, string ip)
    {
        var r = await ProcessRunner.RunAsync("ip", "netns", "exec", ns, "ndisc6", "-m", "-n", "-r", "1", "-w", "1500", ip, device).ConfigureAwait(false);
        return [.. NdiscReply().Matches(r.Stdout).Select(x => x.Groups[1].Value.ToLowerInvariant())];
    }

    /// <summary>Either family: two ARP probes, or one solicitation collecting every advertisement (counted as one probe).</summary>
    public static async Task<(int Probes, List<string> Macs)> AskAsync(string ns, string device, IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork
            ? await ArpingAsync(ns, device, address.ToString(), count: 2).ConfigureAwait(false)
            : (1, await Ndisc6Async(ns, device, address.ToString()).ConfigureAwait(false));

    [GeneratedRegex(@"reply from \S+ \[([0-9A-Fa-f:]{17})\]")]
    private static partial Regex ArpReply();

    [GeneratedRegex(@"Sent (\d+) probe")]
    private static partial Regex ArpSent();

    [GeneratedRegex(@"Target link-layer address: ([0-9A-Fa-f:]{17})")]
    private static partial Regex NdiscReply();
}
