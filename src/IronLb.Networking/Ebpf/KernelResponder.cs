using IronLb.Networking.Interfaces;
using IronLb.Networking.Packets;
using IronLb.Networking.Responders;
using Microsoft.Win32.SafeHandles;

namespace IronLb.Networking.Ebpf;

/// <summary>
/// Keeps <see cref="ReplyProgram"/> attached to the interfaces that run a userspace responder, and its two
/// maps equal to the announce table: one entry per announced address and interface it is announced on,
/// for the protocols whose userspace responder runs there. The userspace responders keep running beside
/// it and answer whatever the program hands on (and everything, for an entry the kernel would not take).
/// Not thread-safe: the announcer calls it under its lock.
/// </summary>
internal sealed class KernelResponder : IKernelResponder
{
    /// <summary>
    /// Entries per protocol (address × interface). Entries are allocated as they are added, but the hash
    /// buckets are not: 16 bytes each, so this costs 256 KiB of kernel memory per map. Beyond it the userspace
    /// responders answer.
    /// </summary>
    public const int MaxEntries = 16384;

    private readonly SafeFileHandle _arpMap;
    private readonly SafeFileHandle _ndpMap;
    private readonly SafeFileHandle _program;
    private readonly SafeFileHandle _deadline;
    private readonly SafeFileHandle _expired;

    // Per interface index: its identity, the protocols answered in the kernel there, and the TCX link.
    private readonly Dictionary<int, Attachment> _attached = [];
    private readonly Dictionary<Key, Published> _published = [];

    private KernelResponder(SafeFileHandle arpMap, SafeFileHandle ndpMap, SafeFileHandle deadline, SafeFileHandle expired, SafeFileHandle program)
    {
        _arpMap = arpMap;
        _ndpMap = ndpMap;
        _deadline = deadline;
        _expired = expired;
        _program = program;
    }

    public IEnumerable<string> Attachments =>
        _attached.Values.SelectMany(a => a.Kinds.Select(k => $"{a.Name}/{k.Protocol()}"));

    /// <summary>Map entries in place, both protocols.</summary>
    public int EntryCount => _published.Count;

    /// <summary>The loaded program, for <see cref="Bpf.TestRun(SafeFileHandle, ReadOnlySpan{byte})"/>.</summary>
    internal SafeFileHandle Program => _program;

    /// <summary>Creates the maps and loads the program; throws <see cref="BpfException"/> where the kernel or our privileges do not allow it.</summary>
    public static KernelResponder Open()
    {
        var handles = new List<SafeFileHandle>();
        try
        {
            var arpMap = Bpf.CreateHashMap(ArpReplyProgram.MapName, ArpReplyProgram.KeySize, TcProgram.ValueSize, MaxEntries);
            handles.Add(arpMap);
            var ndpMap = Bpf.CreateHashMap(NdpReplyProgram.MapName, NdpReplyProgram.KeySize, TcProgram.ValueSize, MaxEntries);
            handles.Add(ndpMap);

            // Created zeroed: the program answers nothing until the announcer writes a deadline.
            var deadline = Bpf.CreateArrayMap(DeadlineGate.DeadlineMapName, DeadlineGate.ValueSize, 1);
            handles.Add(deadline);
            var expired = Bpf.CreateArrayMap(DeadlineGate.ExpiredMapName, DeadlineGate.ValueSize, 1);
            handles.Add(expired);
            var gate = new DeadlineGate((int)deadline.DangerousGetHandle(), (int)expired.DangerousGetHandle());
            var program = Bpf.LoadSchedCls(
                ReplyProgram.Name,
                ReplyProgram.Build((int)arpMap.DangerousGetHandle(), (int)ndpMap.DangerousGetHandle(), gate),
                TcProgram.License);
            return new KernelResponder(arpMap, ndpMap, deadline, expired, program);
        }
        catch
        {
            handles.ForEach(h => h.Dispose());
            throw;
        }
    }

    public void Attach(InterfaceInfo info, ResponderKind kind)
    {
        if (_attached.TryGetValue(info.Index, out var existing) && (existing.Name != info.Name || existing.Mac != info.Mac))
        {
            Detach(info.Index);
            existing = null;
        }

        existing ??= _attached[info.Index] = new Attachment(info.Name, info.Mac, Bpf.AttachTcxIngress(_program, info.Index));
        existing.Kinds.Add(kind);
    }

    /// <summary>
    /// Publishes entries for an interface without attaching to it: BPF_PROG_TEST_RUN runs the program as if
    /// on the loopback interface, which tests must not attach to.
    /// </summary>
    internal void AddForTestRun(InterfaceInfo info) =>
        _attached[info.Index] = new Attachment(info.Name, info.Mac, new SafeFileHandle()) { Kinds = { ResponderKind.Arp, ResponderKind.Ndp } };

    public void Detach(int interfaceIndex, Action<string, long>? answered = null)
    {
        foreach (var key in _published.Keys.Where(k => k.Index == interfaceIndex).ToList())
        {
            Remove(key, answered);
        }

        if (_attached.Remove(interfaceIndex, out var attachment))
        {
            attachment.Link.Dispose();
        }
    }

    public IReadOnlyList<BpfException> Sync(AnnounceTable table, Action<string, long>? answered = null)
    {
        var desired = new Dictionary<Key, (AnnounceEntry Entry, MacAddress Mac)>();
        foreach (var entry in table.Entries)
        {
            var kind = entry.IsIpv6 ? ResponderKind.Ndp : ResponderKind.Arp;
            foreach (var (index, attachment) in _attached)
            {
                if (attachment.Kinds.Contains(kind) && entry.Interfaces.Includes(attachment.Name))
                {
                    desired[new Key(entry.IsIpv6, index, entry.IsIpv6 ? entry.V6 : entry.V4)] = (entry, attachment.Mac);
                }
            }
        }

        foreach (var key in _published.Keys.Where(k => !desired.ContainsKey(k)).ToList())
        {
            Remove(key, answered);
        }

        var failures = new List<BpfException>();
        Span<byte> k = stackalloc byte[NdpReplyProgram.KeySize];
        Span<byte> v = stackalloc byte[TcProgram.ValueSize];
        foreach (var (key, (entry, mac)) in desired)
        {
            if (_published.TryGetValue(key, out var published) && published.Mac == mac)
            {
                continue;
            }

            TcProgram.WriteValue(v, mac);
            try
            {
                Bpf.Update(MapFor(key), WriteKey(k, key), v);
                _published[key] = new Published(entry.Label, mac, 0);
            }
            catch (BpfException e)
            {
                failures.Add(e);
            }
        }

        return failures;
    }

    public void SetDeadline(ulong nanoseconds)
    {
        Span<byte> v = stackalloc byte[DeadlineGate.ValueSize];
        DeadlineGate.WriteValue(v, nanoseconds);
        Bpf.Update(_deadline, DeadlineGate.Key, v);
    }

    public long Expired
    {
        get
        {
            Span<byte> v = stackalloc byte[DeadlineGate.ValueSize];
            return Bpf.Lookup(_expired, DeadlineGate.Key, v) ? (long)DeadlineGate.ReadValue(v) : 0;
        }
    }

    public void Collect(Action<string, long> answered)
    {
        foreach (var key in _published.Keys.ToList())
        {
            Read(key, answered);
        }
    }

    public void Dispose()
    {
        foreach (var attachment in _attached.Values)
        {
            attachment.Link.Dispose();
        }

        _attached.Clear();
        _published.Clear();
        _program.Dispose();
        _arpMap.Dispose();
        _ndpMap.Dispose();
        _deadline.Dispose();
        _expired.Dispose();
    }

    private static ReadOnlySpan<byte> WriteKey(Span<byte> buffer, Key key)
    {
        if (key.IsIpv6)
        {
            NdpReplyProgram.WriteKey(buffer, key.Index, key.Address);
            return buffer[..NdpReplyProgram.KeySize];
        }

        ArpReplyProgram.WriteKey(buffer, key.Index, (uint)key.Address);
        return buffer[..ArpReplyProgram.KeySize];
    }

    private SafeFileHandle MapFor(Key key) => key.IsIpv6 ? _ndpMap : _arpMap;

    private void Remove(Key key, Action<string, long>? answered)
    {
        if (answered is not null)
        {
            Read(key, answered);
        }

        Span<byte> k = stackalloc byte[NdpReplyProgram.KeySize];
        _ = Bpf.Delete(MapFor(key), WriteKey(k, key));
        _published.Remove(key);
    }

    private void Read(Key key, Action<string, long> answered)
    {
        Span<byte> k = stackalloc byte[NdpReplyProgram.KeySize];
        Span<byte> v = stackalloc byte[TcProgram.ValueSize];
        var published = _published[key];
        if (!Bpf.Lookup(MapFor(key), WriteKey(k, key), v))
        {
            return;
        }

        var total = TcProgram.ReadAnswered(v);
        if (total > published.Answered)
        {
            answered(published.Label, total - published.Answered);
            _published[key] = published with { Answered = total };
        }
    }

    /// <summary>One map entry: protocol, interface index, address bits (IPv4 in the low 32).</summary>
    private readonly record struct Key(bool IsIpv6, int Index, UInt128 Address);

    private sealed record Attachment(string Name, MacAddress Mac, SafeFileHandle Link)
    {
        public HashSet<ResponderKind> Kinds { get; init; } = [];
    }

    private sealed record Published(string Label, MacAddress Mac, long Answered);
}
