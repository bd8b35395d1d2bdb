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

    [Fact]
    public void The_conflict_check_allocates_nothing_whether_or_not_a_frame_claims()
    {
        var rogue = IronLb.Networking.Packets.MacAddress.Parse("02:00:00:00:00:ee");
        var table = AnnounceTable.Empty.With(IPAddress.Parse("192.0.2.100"), InterfaceSelection.All).With(IPAddress.Parse("2001:db8:2::100"), InterfaceSelection.All);
        var watched = IronLb.Networking.Conflicts.WatchedAddresses.Create([IPAddress.Parse("192.0.2.101"), IPAddress.Parse("2001:db8:2::101")]);
        byte[][] frames =
        [
            Frames.Arp(), Frames.Arp(sender: "192.0.2.100", target: "192.0.2.100", ethSrc: rogue), Frames.Arp(sender: "0.0.0.0", target: "192.0.2.101", ethSrc: rogue),
            Frames.Ns(), Frames.Na(ethSrc: rogue), Frames.Ns(source: "::", withSll: false, target: "2001:db8:2::101", ethSrc: rogue), Frames.Na(target: "2001:db8:2::200"),
        ];

        var claims = 0;
        void Round()
        {
            foreach (var f in frames)
            {
                claims += IronLb.Networking.Conflicts.ClaimClassifier.TryArp(f, Frames.Node, table, watched, out _, out _, out _) ? 1 : 0;
                claims += IronLb.Networking.Conflicts.ClaimClassifier.TryNdp(f, Frames.Node, table, watched, out _, out _, out _) ? 1 : 0;
            }
        }

        for (var i = 0; i < 1000; i++)
        {
            Round();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            Round();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(11_000 * 4, claims); // the announcement, the probe, the advertisement and the DAD probe claim
    }
}
