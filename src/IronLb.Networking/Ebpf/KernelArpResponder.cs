using IronLb.Networking.Interfaces;
using IronLb.Networking.Packets;
using Microsoft.Win32.SafeHandles;

namespace IronLb.Networking.Ebpf;

/// <summary>
/// Keeps <see cref="ArpReplyProgram"/> attached to the interfaces that run an ARP responder and its map equal
/// to the announce table: one entry per announced IPv4 address and interface it is announced on. The
/// userspace responder keeps running beside it and answers whatever the program hands on (and everything,
/// if an entry could not be added). Not thread-safe: the announcer calls it under its lock.
/// </summary>
internal sealed class KernelArpResponder : IDisposable
{
    /// <summary>Entries are allocated as they are added; this only bounds a runaway table.</summary>
    public const int MaxEntries = 65536;

    private readonly SafeFileHandle _map;
    private readonly SafeFileHandle _program;
    private readonly Dictionary<int, Attachment> _attached = [];
    private readonly Dictionary<(int Index, uint Address), Published> _published = [];

    private KernelArpResponder(SafeFileHandle map, SafeFileHandle program)
    {
        _map = map;
        _program = program;
    }

    /// <summary>Interfaces the program is attached to, by name.</summary>
    public IEnumerable<string> Interfaces => _attached.Values.Select(a => a.Name);

    /// <summary>Map entries in place.</summary>
    public int EntryCount => _published.Count;

    /// <summary>Creates the map and loads the program; throws <see cref="BpfException"/> where the kernel or our privileges do not allow it.</summary>
    public static KernelArpResponder Open()
    {
        var map = Bpf.CreateHashMap(ArpReplyProgram.Name, ArpReplyProgram.KeySize, ArpReplyProgram.ValueSize, MaxEntries);
        try
        {
            var program = Bpf.LoadSchedCls(ArpReplyProgram.Name, ArpReplyProgram.Build((int)map.DangerousGetHandle()), License);
            return new KernelArpResponder(map, program);
        }
        catch
        {
            map.Dispose();
            throw;
        }
    }

    /// <summary>The license string the kernel sees; no GPL-only helper is used.</summary>
    public const string License = "Apache-2.0";

    /// <summary>Attaches to the interface's ingress (again, if it was attached under another identity).</summary>
    public void Attach(InterfaceInfo info)
    {
        if (_attached.TryGetValue(info.Index, out var existing) && existing.Name == info.Name && existing.Mac == info.Mac)
        {
            return;
        }

        Detach(info.Index);
        var link = Bpf.AttachTcxIngress(_program, info.Index);
        _attached[info.Index] = new Attachment(info.Name, info.Mac, link);
    }

    /// <summary>
    /// Publishes entries for an interface without attaching to it: BPF_PROG_TEST_RUN runs the program as if
    /// on the loopback interface, which tests must not attach to.
    /// </summary>
    internal void AddForTestRun(InterfaceInfo info) => _attached[info.Index] = new Attachment(info.Name, info.Mac, new SafeFileHandle());

    /// <summary>The loaded program, for <see cref="Bpf.TestRun"/>.</summary>
    internal SafeFileHandle Program => _program;

    /// <summary>Detaches from the interface and removes its entries, counting what they answered first.</summary>
    public void Detach(int interfaceIndex, Action<string, long>? answered = null)
    {
        if (!_attached.Remove(interfaceIndex, out var attachment))
        {
            return;
        }

        foreach (var key in _published.Keys.Where(k => k.Index == interfaceIndex).ToList())
        {
            Remove(key, answered);
        }

        attachment.Link.Dispose();
    }

    /// <summary>
    /// Brings the map in line with <paramref name="table"/>: withdrawn entries go first, so an address this
    /// node gave up is never answered after this returns. Entries the kernel refuses (map full, no memory)
    /// are left to the userspace responder; the failures are returned.
    /// </summary>
    public IReadOnlyList<BpfException> Sync(AnnounceTable table, Action<string, long>? answered = null)
    {
        var desired = new Dictionary<(int, uint), (AnnounceEntry Entry, MacAddress Mac)>();
        foreach (var entry in table.Entries)
        {
            if (entry.IsIpv6)
            {
                continue;
            }

            foreach (var (index, attachment) in _attached)
            {
                if (entry.Interfaces.Includes(attachment.Name))
                {
                    desired[(index, entry.V4)] = (entry, attachment.Mac);
                }
            }
        }

        foreach (var key in _published.Keys.Where(k => !desired.ContainsKey(k)).ToList())
        {
            Remove(key, answered);
        }

        var failures = new List<BpfException>();
        Span<byte> k = stackalloc byte[ArpReplyProgram.KeySize];
        Span<byte> v = stackalloc byte[ArpReplyProgram.ValueSize];
        foreach (var (key, (entry, mac)) in desired)
        {
            if (_published.TryGetValue(key, out var published) && published.Mac == mac)
            {
                continue;
            }

            ArpReplyProgram.WriteKey(k, key.Item1, key.Item2);
            ArpReplyProgram.WriteValue(v, mac);
            try
            {
                Bpf.Update(_map, k, v);
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
        foreach (var attachment in _attached.Values)
        {
            attachment.Link.Dispose();
        }

        _attached.Clear();
        _published.Clear();
        _program.Dispose();
        _map.Dispose();
    }

    private void Remove((int Index, uint Address) key, Action<string, long>? answered)
    {
        if (answered is not null)
        {
            Read(key, answered);
        }

        Span<byte> k = stackalloc byte[ArpReplyProgram.KeySize];
        ArpReplyProgram.WriteKey(k, key.Index, key.Address);
        _ = Bpf.Delete(_map, k);
        _published.Remove(key);
    }

    private void Read((int Index, uint Address) key, Action<string, long> answered)
    {
        Span<byte> k = stackalloc byte[ArpReplyProgram.KeySize];
        Span<byte> v = stackalloc byte[ArpReplyProgram.ValueSize];
        ArpReplyProgram.WriteKey(k, key.Index, key.Address);
        var published = _published[key];
        if (!Bpf.Lookup(_map, k, v))
        {
            return;
        }

        var total = ArpReplyProgram.ReadAnswered(v);
        if (total > published.Answered)
        {
            answered(published.Label, total - published.Answered);
            _published[key] = published with { Answered = total };
        }
    }

    private sealed record Attachment(string Name, MacAddress Mac, SafeFileHandle Link);

    private sealed record Published(string Label, MacAddress Mac, long Answered);
}
