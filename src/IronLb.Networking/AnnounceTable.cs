using System.Buffers.Binary;
using System.Collections.Frozen;
using System.Net;
using System.Net.Sockets;
using IronLb.Networking.Packets;

namespace IronLb.Networking;

/// <summary>
/// The desired state: which addresses this node answers for, and on which interfaces. Immutable; the
/// announcer publishes one through a volatile field and every packet reads it once, without a lock.
/// Keys are the raw address bits so the per-packet lookup never builds an <see cref="IPAddress"/>.
/// </summary>
public sealed class AnnounceTable
{
    private readonly FrozenDictionary<uint, AnnounceEntry> _v4;
    private readonly FrozenDictionary<UInt128, AnnounceEntry> _v6;

    // The per-packet lookups use these flat open-addressing tables instead of the dictionaries: a frame
    // arrives on a cold CPU, and a probe here touches one array (one cache line, one page) where the
    // frozen dictionary's lookup touches several arrays and another assembly's code; measured cold, that
    // difference was over a microsecond of the reply latency.
    private readonly V4Slot[] _v4Slots;
    private readonly V6Slot[] _v6Slots;

    private AnnounceTable(FrozenDictionary<uint, AnnounceEntry> v4, FrozenDictionary<UInt128, AnnounceEntry> v6)
    {
        _v4 = v4;
        _v6 = v6;
        _v4Slots = new V4Slot[SlotCount(v4.Count)];
        foreach (var (key, entry) in v4)
        {
            var mask = _v4Slots.Length - 1;
            var i = Slot(key, mask);
            while (_v4Slots[i].Entry is not null)
            {
                i = (i + 1) & mask;
            }

            _v4Slots[i] = new V4Slot(key, entry);
        }

        _v6Slots = new V6Slot[SlotCount(v6.Count)];
        foreach (var (key, entry) in v6)
        {
            var mask = _v6Slots.Length - 1;
            var i = Slot(key, mask);
            while (_v6Slots[i].Entry is not null)
            {
                i = (i + 1) & mask;
            }

            _v6Slots[i] = new V6Slot(key, entry);
        }
    }

    public static AnnounceTable Empty { get; } = new(FrozenDictionary<uint, AnnounceEntry>.Empty, FrozenDictionary<UInt128, AnnounceEntry>.Empty);

    public int Count => _v4.Count + _v6.Count;

    public IEnumerable<IPAddress> Addresses => Entries.Select(e => e.Address);

    internal IEnumerable<AnnounceEntry> Entries => _v4.Values.Concat(_v6.Values);

    /// <summary>Builds a table; IPv4-mapped IPv6 addresses are treated as IPv4. Later duplicates win.</summary>
    public static AnnounceTable Create(IEnumerable<KeyValuePair<IPAddress, InterfaceSelection>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var v4 = new Dictionary<uint, AnnounceEntry>();
        var v6 = new Dictionary<UInt128, AnnounceEntry>();
        foreach (var (address, interfaces) in entries)
        {
            ArgumentNullException.ThrowIfNull(address);
            ArgumentNullException.ThrowIfNull(interfaces);
            var entry = AnnounceEntry.Create(address, interfaces);
            if (entry.IsIpv6)
            {
                v6[entry.V6] = entry;
            }
            else
            {
                v4[entry.V4] = entry;
            }
        }

        return new AnnounceTable(v4.ToFrozenDictionary(), v6.ToFrozenDictionary());
    }

    public AnnounceTable With(IPAddress address, InterfaceSelection interfaces) =>
        Create(Entries.Where(e => !e.Address.Equals(Normalize(address))).Select(e => KeyValuePair.Create(e.Address, e.Interfaces))
            .Append(KeyValuePair.Create(address, interfaces)));

    public AnnounceTable Without(IPAddress address) =>
        Create(Entries.Where(e => !e.Address.Equals(Normalize(address))).Select(e => KeyValuePair.Create(e.Address, e.Interfaces)));

    public bool TryGetInterfaces(IPAddress address, out InterfaceSelection interfaces)
    {
        var entry = Find(address);
        interfaces = entry?.Interfaces ?? InterfaceSelection.All;
        return entry is not null;
    }

    internal AnnounceEntry? Find(IPAddress address)
    {
        var e = AnnounceEntry.Create(address, InterfaceSelection.All);
        return e.IsIpv6 ? FindV6(e.V6) : FindV4(e.V4);
    }

    internal AnnounceEntry? FindV4(uint address)
    {
        var slots = _v4Slots;
        var mask = slots.Length - 1;
        for (var i = Slot(address, mask); ; i = (i + 1) & mask)
        {
            ref readonly var slot = ref slots[i];
            if (slot.Entry is null || slot.Key == address)
            {
                return slot.Entry;
            }
        }
    }

    internal AnnounceEntry? FindV6(UInt128 address)
    {
        var slots = _v6Slots;
        var mask = slots.Length - 1;
        for (var i = Slot(address, mask); ; i = (i + 1) & mask)
        {
            ref readonly var slot = ref slots[i];
            if (slot.Entry is null || slot.Key == address)
            {
                return slot.Entry;
            }
        }
    }

    /// <summary>The per-packet ownership decision.</summary>
    internal static DropReason Check(AnnounceEntry? entry, string interfaceName) =>
        entry is null ? DropReason.NotOwned
        : entry.Interfaces.Includes(interfaceName) ? DropReason.None
        : DropReason.WrongInterface;

    /// <summary>A power of two at least twice the count, so probes stay short and an empty slot always ends one.</summary>
    private static int SlotCount(int count) => (int)Math.Max(8, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)count * 2));

    // Fibonacci hashing: addresses handed out from one pool differ in their low bits, which the multiply spreads.
    private static int Slot(uint key, int mask) => (int)((key * 0x9E3779B9u) >> 7) & mask;

    private static int Slot(UInt128 key, int mask) => (int)((((ulong)key ^ (ulong)(key >> 64)) * 0x9E3779B97F4A7C15UL) >> 40) & mask;

    private readonly record struct V4Slot(uint Key, AnnounceEntry? Entry);

    private readonly record struct V6Slot(UInt128 Key, AnnounceEntry? Entry);

    internal static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}

/// <summary>One announced address with everything the hot path needs precomputed (including the metric label).</summary>
internal sealed class AnnounceEntry
{
    private AnnounceEntry(IPAddress address, InterfaceSelection interfaces, uint v4, UInt128 v6)
    {
        Address = address;
        Interfaces = interfaces;
        V4 = v4;
        V6 = v6;
        Label = address.ToString();
    }

    public IPAddress Address { get; }

    public InterfaceSelection Interfaces { get; }

    public bool IsIpv6 => Address.AddressFamily == AddressFamily.InterNetworkV6;

    public uint V4 { get; }

    public UInt128 V6 { get; }

    /// <summary>The <c>ip</c> metric label, built once here rather than per packet.</summary>
    public string Label { get; }

    public static AnnounceEntry Create(IPAddress address, InterfaceSelection interfaces)
    {
        address = AnnounceTable.Normalize(address);
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var written))
        {
            throw new ArgumentException($"cannot read address {address}", nameof(address));
        }

        if (written == 4)
        {
            return new AnnounceEntry(address, interfaces, BinaryPrimitives.ReadUInt32BigEndian(bytes), 0);
        }

        // Scope ids do not matter on the wire; drop them so equality is by bits.
        var bits = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        return new AnnounceEntry(new IPAddress(bytes[..16]), interfaces, 0, bits);
    }
}
