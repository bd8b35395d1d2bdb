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

    private AnnounceTable(FrozenDictionary<uint, AnnounceEntry> v4, FrozenDictionary<UInt128, AnnounceEntry> v6)
    {
        _v4 = v4;
        _v6 = v6;
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

    internal AnnounceEntry? FindV4(uint address) => _v4.GetValueOrDefault(address);

    internal AnnounceEntry? FindV6(UInt128 address) => _v6.GetValueOrDefault(address);

    /// <summary>The per-packet ownership decision.</summary>
    internal static DropReason Check(AnnounceEntry? entry, string interfaceName) =>
        entry is null ? DropReason.NotOwned
        : entry.Interfaces.Includes(interfaceName) ? DropReason.None
        : DropReason.WrongInterface;

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
