using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace IronLb.KubeSim.Admission;

/// <summary>Cluster IPs from the dual-stack service CIDRs (10.96.0.0/16 and fd00:10:96::/112) and node ports from
/// 30000-32767, handed out in order after the last one given (the real allocators pick at random; order keeps
/// tests reproducible). Reservations change only when a write commits, under the store lock.</summary>
internal sealed class ServiceAllocator
{
    public const string V4Cidr = "10.96.0.0/16";
    public const string V6Cidr = "fd00:10:96::/112";
    public const int NodePortMin = 30000;
    public const int NodePortMax = 32767;

    private static readonly IPAddress V4Base = IPAddress.Parse("10.96.0.0");
    private static readonly IPAddress V6Base = IPAddress.Parse("fd00:10:96::");
    private const int V4Size = 1 << 16;
    private const int V6Size = 1 << 16;

    private readonly Dictionary<string, string> _ips = new(StringComparer.Ordinal);
    private readonly Dictionary<int, string> _ports = [];
    private readonly Dictionary<string, (HashSet<string> Ips, HashSet<int> Ports)> _byOwner = new(StringComparer.Ordinal);
    private int _nextV4 = 11;
    private int _nextV6 = 11;
    private int _nextPort = NodePortMin;

    public static bool InRange(IPAddress ip) => Offset(ip) is not null;

    /// <summary>The offset of an address inside its family's service CIDR, or null if it is outside.</summary>
    private static int? Offset(IPAddress ip)
    {
        if (ip.AddressFamily == AddressFamily.InterNetwork)
        {
            var value = BinaryPrimitives.ReadUInt32BigEndian(ip.GetAddressBytes());
            var baseValue = BinaryPrimitives.ReadUInt32BigEndian(V4Base.GetAddressBytes());
            var offset = (long)value - baseValue;
            return offset is > 0 and < V4Size - 1 ? (int)offset : null;
        }
        var v6 = BinaryPrimitives.ReadUInt128BigEndian(ip.GetAddressBytes());
        var v6Base = BinaryPrimitives.ReadUInt128BigEndian(V6Base.GetAddressBytes());
        return v6 > v6Base && v6 - v6Base < V6Size ? (int)(v6 - v6Base) : null;
    }

    public bool IsIpFree(string ip, string owner) => !_ips.TryGetValue(ip, out var o) || o == owner;

    public bool IsPortFree(int port, string owner) => !_ports.TryGetValue(port, out var o) || o == owner;

    /// <summary>A free address of the family that <paramref name="taken"/> does not already hold.</summary>
    public string? NextIp(bool ipv6, IReadOnlySet<string> taken)
    {
        var size = ipv6 ? V6Size : V4Size;
        var start = ipv6 ? _nextV6 : _nextV4;
        for (var i = 0; i < size; i++)
        {
            var offset = (start + i) % size;
            if (offset is 0 || (!ipv6 && offset == V4Size - 1))
            {
                continue;
            }
            var text = Address(ipv6, offset);
            if (!_ips.ContainsKey(text) && !taken.Contains(text))
            {
                if (ipv6)
                {
                    _nextV6 = offset + 1;
                }
                else
                {
                    _nextV4 = offset + 1;
                }
                return text;
            }
        }
        return null;
    }

    public int? NextPort(IReadOnlySet<int> taken)
    {
        const int count = NodePortMax - NodePortMin + 1;
        for (var i = 0; i < count; i++)
        {
            var port = NodePortMin + ((_nextPort - NodePortMin + i) % count);
            if (!_ports.ContainsKey(port) && !taken.Contains(port))
            {
                _nextPort = port + 1 > NodePortMax ? NodePortMin : port + 1;
                return port;
            }
        }
        return null;
    }

    /// <summary>Makes the reservations of <paramref name="owner"/> exactly these (empty on delete).</summary>
    public void Sync(string owner, IEnumerable<string> ips, IEnumerable<int> ports)
    {
        if (_byOwner.Remove(owner, out var old))
        {
            foreach (var ip in old.Ips)
            {
                _ips.Remove(ip);
            }
            foreach (var port in old.Ports)
            {
                _ports.Remove(port);
            }
        }
        var ipSet = ips.ToHashSet(StringComparer.Ordinal);
        var portSet = ports.ToHashSet();
        if (ipSet.Count == 0 && portSet.Count == 0)
        {
            return;
        }
        foreach (var ip in ipSet)
        {
            _ips[ip] = owner;
        }
        foreach (var port in portSet)
        {
            _ports[port] = owner;
        }
        _byOwner[owner] = (ipSet, portSet);
    }

    private static string Address(bool ipv6, int offset)
    {
        if (!ipv6)
        {
            var value = BinaryPrimitives.ReadUInt32BigEndian(V4Base.GetAddressBytes()) + (uint)offset;
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
            return new IPAddress(bytes).ToString();
        }
        var v6 = BinaryPrimitives.ReadUInt128BigEndian(V6Base.GetAddressBytes()) + (UInt128)offset;
        Span<byte> b6 = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(b6, v6);
        return new IPAddress(b6).ToString();
    }
}
