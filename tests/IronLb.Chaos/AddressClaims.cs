using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace IronLb.Chaos;

/// <summary>
/// A rogue's claims on an address, sent from its namespace: gratuitous ARP requests (sender and target address
/// the claimed one, to broadcast) for IPv4, unsolicited neighbour advertisements (override flag, to all nodes, hop
/// limit 255) for IPv6. A few lines of python3 each, because neither arping (whole seconds between packets only)
/// nor ndisc6 (no unsolicited advertisements) can send them at half-second intervals. Shared by the conflict lab
/// tests and `bench conflict`.
/// </summary>
public static class AddressClaims
{
    private const string GratuitousArp = """
        import socket,struct,sys,time
        ip,dev,mac,count,interval=sys.argv[1],sys.argv[2],sys.argv[3],int(sys.argv[4]),float(sys.argv[5])
        own=bytes.fromhex(mac.replace(':',''))
        addr=socket.inet_aton(ip)
        frame=b'\xff'*6+own+b'\x08\x06'+struct.pack('!HHBBH',1,0x0800,6,4,1)+own+addr+b'\x00'*6+addr
        s=socket.socket(socket.AF_PACKET,socket.SOCK_RAW)
        s.bind((dev,0))
        for i in range(count):
            s.send(frame)
            if i<count-1: time.sleep(interval)
        """;

    // The kernel fills in the ICMPv6 checksum and the link-local source.
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

    /// <summary>Sends <paramref name="count"/> claims for <paramref name="ip"/> as <paramref name="mac"/>, <paramref name="interval"/> apart; returns when the last is sent.</summary>
    public static async Task SendAsync(string netns, string device, string mac, string ip, int count, TimeSpan interval)
    {
        var script = IPAddress.Parse(ip).AddressFamily == AddressFamily.InterNetworkV6 ? UnsolicitedNa : GratuitousArp;
        var result = await IronLb.Testing.ProcessRunner.RunAsync("ip", "netns", "exec", netns, "python3", "-c", script, ip, device, mac,
            count.ToString(CultureInfo.InvariantCulture), interval.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"claims for {ip} from {netns}: {result}");
        }
    }
}
