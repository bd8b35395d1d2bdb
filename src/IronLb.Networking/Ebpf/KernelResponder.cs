using IronLb.Networking.Interfaces;
using IronLb.Networking.Packets;
using Microsoft.Win32.SafeHandles;

namespace IronLb.Networking.Ebpf;

/// <summary>
/// Keeps <see cref="ArpReplyProgram"/> and <see cref="NdpReplyProgram"/> attached to the interfaces that run
/// the matching userspace responder, and their maps equal to the announce table: one entry per announced
/// address and interface it is announced on. The userspace responders keep running beside them and answer
/// whatever the programs hand on (and everything, for an entry the kernel would not take). Not
/// thread-safe: the announcer calls it under its lock.
/// </summary>
internal sealed class KernelResponder : IKernelResponder
{
    /// <summary>
    /// Entries per protocol (address × interface). Entries are allocated as they are added, but the hash
    /// buckets are not: 16 bytes each, so this costs 256 KiB of kernel memory per map. Beyond it the userspace
    /// responders answer.
    /// </summary>
    public const int MaxEntries = 16384;

    private readonly Program _arp;
    private readonly Program _ndp;
    private readonly Dictionary<Key, Published> _published = [];

    private KernelResponder(Program arp, Program ndp)
    {
        _arp = arp;
        _ndp = ndp;
    }

    /// <summary>Attachments as "interface/arp" and "interface/ndp".</summary>
    public IEnumerable<string> Attachments =>
        _arp.Attached.Values.Select(a => $"{a.Name}/arp").Concat(_ndp.Attached.Values.Select(a => $"{a.Name}/ndp"));

    /// <summary>Map entries in place, both protocols.</summary>
    public int EntryCount => _published.Count;

    /// <summary>The loaded programs, for <see cref="Bpf.TestRun(SafeFileHandle, ReadOnlySpan{byte})"/>.</summary>
    internal SafeFileHandle ArpProgram => _arp.Handle;

    internal SafeFileHandle NdpProgram => _ndp.Handle;

    /// <summary>Creates the maps and loads both programs; throws <see cref="BpfException"/> where the kernel or our privileges do not allow it.</summary>
    public static KernelResponder Open()
    {
        Program? arp = null;
        try
        {
            arp = Program.Load(ArpReplyProgram.Name, ArpReplyProgram.KeySize, ArpReplyProgram.Build);
            var ndp = Program.Load(NdpReplyProgram.Name, NdpReplyProgram.KeySize, NdpReplyProgram.Build);
            return new KernelResponder(arp, ndp);
        }
        catch
        {
            arp?.Dispose();
            throw;
        }
    }

    /// <summary>Attaches the program of <paramref name="kind"/> to the interface's ingress (again, if its identity changed).</summary>
    public void Attach(InterfaceInfo info, Responders.ResponderKind kind) => ProgramFor(kind).Attach(info);

    /// <summary>
    /// Publishes entries for an interface without attaching to it: BPF_PROG_TEST_RUN runs the programs as
    /// if on the loopback interface, which tests must not attach to.
    /// </summary>
    internal void AddForTestRun(InterfaceInfo info)
    {
        _arp.Attached[info.Index] = new Attachment(info.Name, info.Mac, new SafeFileHandle());
        _ndp.Attached[info.Index] = new Attachment(info.Name, info.Mac, new SafeFileHandle());
    }

    /// <summary>Detaches both programs from the interface and removes its entries, counting what they answered first.</summary>
    public void Detach(int interfaceIndex, Action<string, long>? answered = null)
    {
        foreach (var key in _published.Keys.Where(k => k.Index == interfaceIndex).ToList())
        {
            Remove(key, answered);
        }

        _arp.Detach(interfaceIndex);
        _ndp.Detach(interfaceIndex);
    }

    /// <summary>
    /// Brings the maps in line with <paramref name="table"/>: withdrawn entries go first, so an address this
    /// node gave up is never answered after this returns. Entries the kernel refuses (map full, no memory)
    /// are left to the userspace responders; the failures are returned.
    /// </summary>
    public IReadOnlyList<BpfException> Sync(AnnounceTable table, Action<string, long>? answered = null)
    {
        var desired = new Dictionary<Key, (AnnounceEntry Entry, MacAddress Mac)>();
        foreach (var entry in table.Entries)
        {
            var program = entry.IsIpv6 ? _ndp : _arp;
            foreach (var (index, attachment) in program.Attached)
            {
                if (entry.Interfaces.Includes(attachment.Name))
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

    /// <summary>Reports, per address label, the replies the kernel sent since the last call.</summary>
    public void Collect(Action<string, long> answered)
    {
        foreach (var key in _published.Keys.ToList())
        {
            Read(key, answered);
        }
    }

    public void Dispose()
    {
        _published.Clear();
        _arp.Dispose();
        _ndp.Dispose();
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

    private Program ProgramFor(Responders.ResponderKind kind) => kind == Responders.ResponderKind.Arp ? _arp : _ndp;

    private SafeFileHandle MapFor(Key key) => (key.IsIpv6 ? _ndp : _arp).Map;

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

    private sealed record Attachment(string Name, MacAddress Mac, SafeFileHandle Link);

    private sealed record Published(string Label, MacAddress Mac, long Answered);

    /// <summary>One program with its map and its links, by interface index.</summary>
    private sealed class Program : IDisposable
    {
        private Program(SafeFileHandle map, SafeFileHandle handle)
        {
            Map = map;
            Handle = handle;
        }

        public SafeFileHandle Map { get; }

        public SafeFileHandle Handle { get; }

        public Dictionary<int, Attachment> Attached { get; } = [];

        public static Program Load(string name, int keySize, Func<int, EbpfInstruction[]> build)
        {
            var map = Bpf.CreateHashMap(name, keySize, TcProgram.ValueSize, MaxEntries);
            try
            {
                return new Program(map, Bpf.LoadSchedCls(name, build((int)map.DangerousGetHandle()), TcProgram.License));
            }
            catch
            {
                map.Dispose();
                throw;
            }
        }

        public void Attach(InterfaceInfo info)
        {
            if (Attached.TryGetValue(info.Index, out var existing) && existing.Name == info.Name && existing.Mac == info.Mac)
            {
                return;
            }

            Detach(info.Index);
            Attached[info.Index] = new Attachment(info.Name, info.Mac, Bpf.AttachTcxIngress(Handle, info.Index));
        }

        public void Detach(int index)
        {
            if (Attached.Remove(index, out var attachment))
            {
                attachment.Link.Dispose();
            }
        }

        public void Dispose()
        {
            foreach (var attachment in Attached.Values)
            {
                attachment.Link.Dispose();
            }

            Attached.Clear();
            Handle.Dispose();
            Map.Dispose();
        }
    }
}
