using System.Buffers.Binary;
using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;

namespace IronLb.Speaker.Membership.Ring;

/// <summary>
/// The members from discovery, the same table on every node: names sorted ordinally give the index (the bit in a
/// round bitmap); sha256("ring#" + name) gives the 64-bit id that is both the ring position and the name on the wire.
/// </summary>
internal sealed class MemberTable
{
    public static MemberTable Empty { get; } = new([]);

    private readonly FrozenDictionary<ulong, int> _byId;
    private readonly FrozenDictionary<string, int> _byName;
    private readonly int[] _ringPosition;

    private MemberTable(IReadOnlyList<string> sortedNames)
    {
        Names = [.. sortedNames];
        Ids = [.. sortedNames.Select(IdOf)];
        _byId = Enumerable.Range(0, Ids.Length).ToFrozenDictionary(i => Ids[i]);
        _byName = Enumerable.Range(0, Names.Length).ToFrozenDictionary(i => Names[i], StringComparer.Ordinal);
        RingOrder = [.. Enumerable.Range(0, Ids.Length).OrderBy(i => Ids[i])];
        _ringPosition = new int[Ids.Length];
        for (var p = 0; p < RingOrder.Length; p++)
        {
            _ringPosition[RingOrder[p]] = p;
        }

        Digest = DigestOf(Names);
    }

    public ImmutableArray<string> Names { get; }

    public ImmutableArray<ulong> Ids { get; }

    /// <summary>Member indices in ring order (ascending id).</summary>
    public ImmutableArray<int> RingOrder { get; }

    /// <summary>Names a round bitmap: bitmaps from a node with another table are not merged.</summary>
    public uint Digest { get; }

    public int Count => Names.Length;

    /// <summary>
    /// The table for these names: duplicates and empty names dropped, sorted ordinally; a name whose id collides with
    /// an earlier one (2^-64 per pair) is left out and reported in <paramref name="dropped"/>.
    /// </summary>
    public static MemberTable Create(IEnumerable<string> names, out int dropped)
    {
        ArgumentNullException.ThrowIfNull(names);
        var sorted = names.Where(n => !string.IsNullOrEmpty(n)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var seen = new HashSet<ulong>();
        var kept = sorted.Where(n => seen.Add(IdOf(n))).ToList();
        dropped = sorted.Count - kept.Count;
        return new MemberTable(kept);
    }

    public static ulong IdOf(string name)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes("ring#" + name), hash);
        return BinaryPrimitives.ReadUInt64BigEndian(hash);
    }

    public bool TryIndexOf(ulong id, out int index) => _byId.TryGetValue(id, out index);

    public bool TryIndexOf(string name, out int index) => _byName.TryGetValue(name, out index);

    public int RingPositionOf(int index) => _ringPosition[index];

    private static uint DigestOf(ImmutableArray<string> names)
    {
        var joined = Encoding.UTF8.GetBytes(string.Join('\n', names));
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(joined, hash);
        return BinaryPrimitives.ReadUInt32BigEndian(hash);
    }
}
