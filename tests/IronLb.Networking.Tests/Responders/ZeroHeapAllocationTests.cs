using System.Net;
using IronLb.Networking.Responders;
using IronLb.Networking.Tests.Packets;

namespace IronLb.Networking.Tests.Responders;

/// <summary>The per-packet decision allocates nothing, answered or dropped (measured, not assumed).</summary>
public sealed class ZeroHeapAllocationTests
{
    [Fact]
    public void Processing_requests_allocates_nothing()
    {
        var table = AnnounceTable.Create(Enumerable.Range(1, 200)
            .Select(i => KeyValuePair.Create(IPAddress.Parse($"192.0.2.{i}"), InterfaceSelection.Only("eno2", "eno3")))
            .Append(KeyValuePair.Create(IPAddress.Parse("2001:db8:2::100"), InterfaceSelection.All)));
        var arp = new ArpResponder("eno2", Frames.Node);
        var ndp = new NdpResponder("eno2", Frames.Node);
        byte[][] arpFrames = [Frames.Arp(), Frames.Arp(target: "198.51.100.1"), Frames.Arp()[..20]];
        byte[][] ndpFrames = [Frames.Ns(), Frames.Ns(target: "2001:db8:2::200"), Frames.Ns(withSll: false)];
        var reply = new byte[128];

        void Round()
        {
            foreach (var f in arpFrames)
            {
                _ = arp.Process(f, table, reply, out _, out _);
            }

            foreach (var f in ndpFrames)
            {
                _ = ndp.Process(f, table, reply, out _, out _);
            }
        }

        for (var i = 0; i < 1000; i++)
        {
            Round(); // warm up (JIT, tiering)
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            Round();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
