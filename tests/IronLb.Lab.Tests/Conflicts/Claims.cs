using System.Globalization;
using System.Net;
using System.Net.Sockets;
using static IronLb.Testing.ProcessRunner;

namespace IronLb.Lab.Tests.Conflicts;

/// <summary>
/// A rogue's claims on an address it holds: gratuitous ARP (arping -U) for IPv4, unsolicited neighbour
/// advertisements (override flag, to all nodes, hop limit 255) for IPv6, sent from the rogue's namespace. Linux
/// has no tool for the latter, so three lines of python3 send them on an ICMPv6 raw socket (the kernel fills in
/// the checksum and the link-local source).
/// </summary>
internal static class Claims
{
    private const string UnsolicitedNa = """
        import socket,struct,sys,time
        ip,dev,mac,count,interval=sys.argv[1],sys.argv[2],sys.argv[3],int(sys.argv[4]),float(sys.argv[5])
        s=socket.socket(socket.AF_INET6,socket.SOCK_RAW,socket.IPPROTO_ICMPV6)
        idx=socket.if_nametoindex(dev)
        s.setsockopt(socket.IPPROTO_IPV6,socket.IPV6_MULTICAST_HOPS,255)
        s.setsockopt(socket.IPPROTO_IPV6,socket.IPV6_MULTICAST_IF,idx)
        na=struct.pack('!BBHI',136,0,0,0x20000000)+socket.inet_pton(socket.AF_INET6,ip)+bytes([2,1])+bytes.fromhex(mac.replace(':',''))
        for i in range(count):
            s.sendto(na,('ff02::1',0,0,idx))
            if i<count-1: time.sleep(interval)
        """;

    /// <summary>Sends <paramref name="count"/> claims for <paramref name="ip"/>, <paramref name="interval"/> apart, and returns when the last is sent.</summary>
    public static async Task SendAsync(string netns, string device, string mac, string ip, int count, TimeSpan interval)
    {
        var seconds = interval.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        var n = count.ToString(CultureInfo.InvariantCulture);
        var result = IPAddress.Parse(ip).AddressFamily == AddressFamily.InterNetworkV6
            ? await RunAsync("ip", "netns", "exec", netns, "python3", "-c", UnsolicitedNa, ip, device, mac, n, seconds)
            // arping -U: gratuitous ARP requests (sender = target = ip); it exits 1 as no reply is expected, so only its output counts.
            : await RunAsync("ip", "netns", "exec", netns, "arping", "-U", "-c", n, "-i", seconds, "-I", device, ip);
        Assert.True(result.Stdout.Contains($"Sent {n}", StringComparison.Ordinal) || result.ExitCode == 0, $"claims for {ip} from {netns}: {result}");
    }
}
