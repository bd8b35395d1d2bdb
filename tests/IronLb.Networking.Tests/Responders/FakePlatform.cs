using System.Collections.Concurrent;
using IronLb.Networking.Interfaces;
using IronLb.Networking.Packets;
using IronLb.Networking.Responders;
using IronLb.Networking.Sockets;

namespace IronLb.Networking.Tests.Responders;

/// <summary>In-memory interfaces, transports and group memberships for announcer tests without root.</summary>
internal sealed class FakePlatform : ILinkLayerPlatform, IInterfaceSource
{
    public List<InterfaceInfo> Interfaces { get; } = [];

    public ConcurrentDictionary<(int Index, string Kind), FakeTransport> Transports { get; } = new();

    public ConcurrentDictionary<int, FakeGroups> Groups { get; } = new();

    public static InterfaceInfo Eth(string name, int index) =>
        new(name, index, new MacAddress(0x0200_0000_0000UL + (ulong)index), InterfaceFlags.Up | InterfaceFlags.Broadcast, 1, false,
            System.Net.IPAddress.Parse($"fe80::{index}"));

    public IReadOnlyList<InterfaceInfo> Scan() => [.. Interfaces];

    /// <summary>The placement the announcer gets; one unpinned lane unless a test asks for more.</summary>
    public ResponderPlacement PlacementToUse { get; set; } = ResponderPlacement.Default;

    /// <summary>Every lane's transport, lane 0 first (also in <see cref="Transports"/>).</summary>
    public ConcurrentDictionary<(int Index, string Kind), FakeTransport[]> Lanes { get; } = new();

    public IReadOnlyList<ILinkLayerTransport> OpenArp(int interfaceIndex, ReadOnlySpan<int> laneCpus) => Open(interfaceIndex, "arp", laneCpus.Length);

    public IReadOnlyList<ILinkLayerTransport> OpenNdp(int interfaceIndex, ReadOnlySpan<int> laneCpus) => Open(interfaceIndex, "ndp", laneCpus.Length);

    public ResponderPlacement Placement(Layer2Options options) => PlacementToUse;

    public IMulticastGroups OpenGroups(int interfaceIndex) => Groups[interfaceIndex] = new FakeGroups();

    public IDisposable? WatchInterfaces(Action onChange) => null;

    public IronLb.Networking.Ebpf.KernelResponder? OpenKernelResponder() => null;

    public FakeTransport Arp(int index) => Transports[(index, "arp")];

    private FakeTransport[] Open(int index, string kind, int lanes)
    {
        var transports = Enumerable.Range(0, Math.Max(1, lanes)).Select(_ => new FakeTransport()).ToArray();
        Lanes[(index, kind)] = transports;
        Transports[(index, kind)] = transports[0];
        return transports;
    }

    public FakeTransport Ndp(int index) => Transports[(index, "ndp")];
}

internal sealed class FakeTransport : ILinkLayerTransport
{
    private readonly BlockingCollection<byte[]> _inbox = [];

    public ConcurrentQueue<byte[]> Sent { get; } = new();

    public bool Disposed { get; private set; }

    public void Inject(byte[] frame) => _inbox.Add(frame);

    public int Receive(Span<byte> buffer)
    {
        if (Disposed || !_inbox.TryTake(out var frame, 20))
        {
            return 0;
        }

        frame.CopyTo(buffer);
        return frame.Length;
    }

    public int TryReceive(Span<byte> buffer)
    {
        if (Disposed || !_inbox.TryTake(out var frame))
        {
            return 0;
        }

        frame.CopyTo(buffer);
        return frame.Length;
    }

    public void Send(ReadOnlySpan<byte> frame) => Sent.Enqueue(frame.ToArray());

    public void Dispose() => Disposed = true;
}

internal sealed class FakeGroups : IMulticastGroups
{
    public HashSet<UInt128> Joined { get; } = [];

    public bool Disposed { get; private set; }

    public void Join(UInt128 group) => Assert.True(Joined.Add(group), "joined twice");

    public void Leave(UInt128 group) => Assert.True(Joined.Remove(group), "left a group never joined");

    public void Dispose() => Disposed = true;
}
