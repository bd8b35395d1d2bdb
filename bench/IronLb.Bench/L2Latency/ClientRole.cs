using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using IronLb.Networking.Packets;
using IronLb.Networking.Sockets;
using static IronLb.Bench.L2Latency.L2Addresses;

namespace IronLb.Bench.L2Latency;

/// <summary>
/// The bench's role inside a client namespace (`l2-latency --client arp|ndp DEVICE COUNT [KERNEL OURS SOURCE]`): asks
/// for an address the node's kernel owns and one IronLB announces, from SOURCE (defaults: <see cref="L2Addresses"/>,
/// the l2-latency namespaces; `lab-arp-latency` names the lab's).
/// </summary>
internal static class ClientRole
{
    /// <summary>In the client namespace: alternate kernel/ours requests, each waiting for its reply, ~1 ms apart.</summary>
    public static int Run(string protocol, string device, int count, string[] addresses)
    {
        var arp = protocol == "arp";
        var (kernel, ours, source) = addresses is [var k, var o, var s] ? (k, o, s)
            : arp ? (KernelV4, OursV4, "192.0.2.1") : (KernelV6, OursV6, ClientV6);
        var index = int.Parse(File.ReadAllText($"/sys/class/net/{device}/ifindex").Trim(), CultureInfo.InvariantCulture);
        var mac = MacAddress.Parse(File.ReadAllText($"/sys/class/net/{device}/address").Trim());
        using var socket = PacketSocket.Open(index, arp ? EthernetHeader.EtherTypeArp : EthernetHeader.EtherTypeIpv6);
        var request = new byte[128];
        var buffer = new byte[2048];
        var lost = 0;
        for (var i = 0; i < count * 2; i++)
        {
            var target = i % 2 == 0 ? kernel : ours;
            var targetBytes = IPAddress.Parse(target).GetAddressBytes();
            int n;
            if (arp)
            {
                n = new ArpPacket(ArpPacket.OpRequest, mac, BinaryPrimitives.ReadUInt32BigEndian(IPAddress.Parse(source).GetAddressBytes()), default, BinaryPrimitives.ReadUInt32BigEndian(targetBytes))
                    .WriteFrame(request, MacAddress.Broadcast, mac);
            }
            else
            {
                n = NeighborSolicitation.WriteFrame(request, mac, BinaryPrimitives.ReadUInt128BigEndian(IPAddress.Parse(source).GetAddressBytes()), BinaryPrimitives.ReadUInt128BigEndian(targetBytes), mac);
            }

            socket.Send(request.AsSpan(0, n));
            if (!AwaitReply(socket, buffer, arp, targetBytes))
            {
                lost++;
            }

            Thread.Sleep(1);
        }

        Console.WriteLine($"ready client {protocol} lost={lost}");
        return 0;
    }

    private static bool AwaitReply(PacketSocket socket, byte[] buffer, bool arp, byte[] target)
    {
        var sw = Stopwatch.StartNew();
        while (sw.ElapsedMilliseconds < 500)
        {
            var n = socket.Receive(buffer);
            if (n == 0)
            {
                continue;
            }

            if (arp && n >= 42 && buffer[21] == 2 && buffer.AsSpan(28, 4).SequenceEqual(target))
            {
                return true;
            }

            if (!arp && n >= 78 && buffer[20] == 58 && buffer[54] == 136 && buffer.AsSpan(62, 16).SequenceEqual(target))
            {
                return true;
            }
        }

        return false;
    }
}
