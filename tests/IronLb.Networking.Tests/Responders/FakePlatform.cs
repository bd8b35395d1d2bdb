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

    /// <summary>What <see cref="OpenKernelResponder"/> hands out; null (the default) = a platform without a kernel path.</summary>
    public FakeKernelResponder? Kernel { get; set; }

    /// <summary>Thrown by <see cref="OpenKernelResponder"/> instead, as a kernel that refuses the programs.</summary>
    public IronLb.Networking.Ebpf.BpfException? KernelRefusal { get; set; }

    public int KernelOpens { get; private set; }

    public IronLb.Networking.Ebpf.IKernelResponder? OpenKernelResponder()
    {
        KernelOpens++;
        return KernelRefusal is { } refusal ? throw refusal : Kernel;
    }

    public FakeTransport Arp(int index) => Transports[(index, "arp")];

    /// <summary>Called with "arp" or "ndp" and lane 0's transport as each opens (before the opener sees it).</summary>
    public Action<string, FakeTransport>? Opened { get; set; }

    /// <summary>Decides, per kind ("arp", "ndp"), whether opening throws, as a kernel refusing the socket.</summary>
    public Func<string, System.Net.Sockets.SocketException?> OpenRefusal { get; set; } = _ => null;

    private FakeTransport[] Open(int index, string kind, int lanes)
    {
        if (OpenRefusal(kind) is { } refusal)
        {
            throw refusal;
        }

        var transports = Enumerable.Range(0, Math.Max(1, lanes)).Select(_ => new FakeTransport()).ToArray();
        Lanes[(index, kind)] = transports;
        Transports[(index, kind)] = transports[0];
        Opened?.Invoke(kind, transports[0]);
        return transports;
    }

    public FakeTransport Ndp(int index) => Transports[(index, "ndp")];
}

internal sealed class FakeTransport : ILinkLayerTransport
{
    private readonly BlockingCollection<byte[]> _inbox = [];

    public ConcurrentQueue<byte[]> Sent { get; } = new();

    /// <summary>Stopwatch timestamps of the sends, in order (for rate checks, which only ever bound from below).</summary>
    public ConcurrentQueue<long> SentAt { get; } = new();

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

    public void Send(ReadOnlySpan<byte> frame)
    {
        SentAt.Enqueue(System.Diagnostics.Stopwatch.GetTimestamp());
        Sent.Enqueue(frame.ToArray());
    }

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

/// <summary>Records what the announcer asks of the kernel path; counts replies a test says the kernel sent.</summary>
internal sealed class FakeKernelResponder(Func<FakeTransport[]>? transports = null) : IronLb.Networking.Ebpf.IKernelResponder
{
    private readonly Dictionary<(int Index, string Kind), string> _attached = [];
    private readonly ConcurrentDictionary<string, long> _pending = new();

    /// <summary>Decides, per interface and kind, whether Attach throws.</summary>
    public Func<InterfaceInfo, ResponderKind, IronLb.Networking.Ebpf.BpfException?> AttachRefusal { get; set; } = (_, _) => null;

    public List<string> Calls { get; } = [];

    public AnnounceTable? Synced { get; private set; }

    public bool Disposed { get; private set; }

    /// <summary>Whether every userspace transport was still open when the kernel path was disposed.</summary>
    public bool TransportsOpenAtDispose { get; private set; }

    public IEnumerable<string> Attachments => _attached.Values;

    /// <summary>Every deadline written to the kernel's map, in order.</summary>
    public ConcurrentQueue<ulong> Deadlines { get; } = new();

    /// <summary>As if the kernel had handed on this many requests past the deadline.</summary>
    public long Expired { get; set; }

    public void SetDeadline(ulong nanoseconds) => Deadlines.Enqueue(nanoseconds);

    /// <summary>As if the kernel had answered <paramref name="count"/> requests for <paramref name="label"/>.</summary>
    public void Answer(string label, long count) => _pending.AddOrUpdate(label, count, (_, n) => n + count);

    public void Attach(InterfaceInfo info, ResponderKind kind)
    {
        var name = $"{info.Name}/{kind.ToString().ToLowerInvariant()}";
        Calls.Add($"attach {name}");
        if (AttachRefusal(info, kind) is { } refusal)
        {
            throw refusal;
        }

        _attached[(info.Index, name)] = name;
    }

    public void Detach(int interfaceIndex, Action<string, long>? answered = null)
    {
        Calls.Add($"detach {interfaceIndex}");
        foreach (var key in _attached.Keys.Where(k => k.Index == interfaceIndex).ToList())
        {
            _attached.Remove(key);
        }
    }

    public IReadOnlyList<IronLb.Networking.Ebpf.BpfException> Sync(AnnounceTable table, Action<string, long>? answered = null)
    {
        Calls.Add("sync");
        Synced = table;
        return [];
    }

    public void Collect(Action<string, long> answered)
    {
        foreach (var label in _pending.Keys.ToList())
        {
            if (_pending.TryRemove(label, out var n))
            {
                answered(label, n);
            }
        }
    }

    public void Dispose()
    {
        Calls.Add("dispose");
        TransportsOpenAtDispose = transports?.Invoke().All(t => !t.Disposed) ?? true;
        Disposed = true;
    }
}
