using System.Buffers.Binary;
using System.Net;
using IronLb.Networking;
using IronLb.Networking.Packets;
using static IronLb.Bench.L2Latency.L2Addresses;

namespace IronLb.Bench.L2Latency;

/// <summary>
/// What the tc program costs per frame, as the kernel times it (BPF_PROG_TEST_RUN, a million runs, no
/// frame leaves the machine): for the requests it answers and, the figure every other frame on the
/// interface pays, for ordinary IPv4 and IPv6 traffic it hands on.
/// </summary>
internal static class KernelProgramCost
{
    public static void Print()
    {
        Networking.Ebpf.KernelResponder opened;
        try
        {
            opened = Networking.Ebpf.KernelResponder.Open();
        }
        catch (Networking.Ebpf.BpfException e)
        {
            Console.WriteLine($"kernel_program_cost: not measured ({e.Reason})");
            return;
        }

        using var kernel = opened;
        kernel.AddForTestRun(new Networking.Interfaces.InterfaceInfo("eno2", 1, MacAddress.Parse("02:00:00:00:00:aa"), Networking.Interfaces.InterfaceFlags.Up, 1, false, null));
        kernel.SetDeadline(AnswerDeadline.UnboundedNanoseconds); // answering, as under a live speaker (the check costs the same)
        _ = kernel.Sync(AnnounceTable.Create(new[] { OursV4, OursV6 }.Select(a => KeyValuePair.Create(IPAddress.Parse(a), InterfaceSelection.All))));
        var client = MacAddress.Parse("02:00:00:00:00:bb");
        var arp = new byte[ArpPacket.FrameLength];
        new ArpPacket(ArpPacket.OpRequest, client, Bits4("192.0.2.1"), default, Bits4(OursV4)).WriteFrame(arp, MacAddress.Broadcast, client);
        var ns = new byte[NeighborAdvertisement.FrameLength];
        NeighborSolicitation.WriteFrame(ns, client, Bits6(ClientV6), Bits6(OursV6), client);
        var tcp4 = new byte[EthernetHeader.Length + 40];
        new EthernetHeader(MacAddress.Parse("02:00:00:00:00:aa"), client, 0x0800).Write(tcp4);
        tcp4[EthernetHeader.Length] = 0x45;
        tcp4[EthernetHeader.Length + 9] = 6;
        var tcp6 = new byte[EthernetHeader.Length + 60];
        new EthernetHeader(MacAddress.Parse("02:00:00:00:00:aa"), client, EthernetHeader.EtherTypeIpv6).Write(tcp6);
        new Ipv6Header(20, 6, 64, Bits6(ClientV6), Bits6(OursV6)).Write(tcp6.AsSpan(EthernetHeader.Length));
        const int Runs = 1_000_000;
        foreach (var (name, frame) in new[] { ("arp_request", arp), ("ndp_solicitation", ns), ("other_ipv4", tcp4), ("other_ipv6", tcp6) })
        {
            Console.WriteLine($"kernel_program_ns_{name}: {Networking.Ebpf.Bpf.TestRun(kernel.Program, frame, Runs).AverageNanoseconds}");
        }

        static uint Bits4(string address) => BinaryPrimitives.ReadUInt32BigEndian(IPAddress.Parse(address).GetAddressBytes());

        static UInt128 Bits6(string address) => BinaryPrimitives.ReadUInt128BigEndian(IPAddress.Parse(address).GetAddressBytes());
    }
}
