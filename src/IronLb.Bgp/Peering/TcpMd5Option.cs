using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace IronLb.Bgp.Peering;

/// <summary>
/// TCP MD5 signatures (RFC 2385), the <c>password</c> of a BGPPeer: Linux's <c>TCP_MD5SIG</c> socket option, set on
/// the dialling socket before connect (and on a listener, for the peers it accepts). The kernel then signs every
/// segment to that peer and silently drops the peer's segments whose signature is missing or wrong, so a wrong
/// key looks like a peer that never answers.
/// <para>
/// The option value is <c>struct tcp_md5sig</c> (include/uapi/linux/tcp.h), 216 bytes:
/// </para>
/// <code>
///   0  struct sockaddr_storage tcpm_addr   128 bytes: sockaddr_in (family u16 host order = 2, port u16 = 0,
///                                          address 4 bytes network order) or sockaddr_in6 (family = 10, port,
///                                          flowinfo u32 = 0, address 16 bytes at offset 8, scope id u32 = 0)
/// 128  u8  tcpm_flags                      0: no prefix length, no interface index; the key is for this address
/// 129  u8  tcpm_prefixlen                  0 (unused without TCP_MD5SIG_FLAG_PREFIX)
/// 130  u16 tcpm_keylen                     host order; 0 would delete the key
/// 132  u32 tcpm_ifindex                    0 (unused without TCP_MD5SIG_FLAG_IFINDEX)
/// 136  u8  tcpm_key[80]                    the key's bytes, zero-padded
/// </code>
/// </summary>
public static class TcpMd5Option
{
    /// <summary>IPPROTO_TCP.</summary>
    public const int Level = 6;

    /// <summary>TCP_MD5SIG.</summary>
    public const int Name = 14;

    /// <summary>TCP_MD5SIG_MAXKEYLEN: the kernel refuses longer keys.</summary>
    public const int MaxKeyLength = 80;

    public const int Size = 216;

    private const int AddressOffset = 0;
    private const int KeyLengthOffset = 130;
    private const int KeyOffset = 136;

    /// <summary>The option value that makes the kernel sign segments to <paramref name="peer"/> with <paramref name="key"/> (its UTF-8 bytes).</summary>
    /// <exception cref="ArgumentException">The key is empty or longer than 80 bytes, or the address is neither IPv4 nor IPv6.</exception>
    public static byte[] Build(IPAddress peer, string key)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(key);
        var keyBytes = Encoding.UTF8.GetBytes(key);
        if (keyBytes.Length is 0 or > MaxKeyLength)
        {
            throw new ArgumentException($"A TCP MD5 key must be 1 to {MaxKeyLength} bytes (Linux's TCP_MD5SIG_MAXKEYLEN); this one is {keyBytes.Length}.", nameof(key));
        }

        // A v4-mapped address stays IPv6: an AF_INET6 socket takes only sockaddr_in6, and the kernel files it as IPv4.
        var address = peer;
        var value = new byte[Size];
        var storage = value.AsSpan(AddressOffset, 128);
        switch (address.AddressFamily)
        {
            case AddressFamily.InterNetwork:
                BinaryPrimitives.WriteUInt16LittleEndian(storage, 2);
                address.TryWriteBytes(storage[4..], out _);
                break;
            case AddressFamily.InterNetworkV6:
                BinaryPrimitives.WriteUInt16LittleEndian(storage, 10);
                address.TryWriteBytes(storage[8..], out _);
                break;
            default:
                throw new ArgumentException($"TCP MD5 needs an IPv4 or IPv6 peer, not {address.AddressFamily}.", nameof(peer));
        }

        BinaryPrimitives.WriteUInt16LittleEndian(value.AsSpan(KeyLengthOffset), (ushort)keyBytes.Length);
        keyBytes.CopyTo(value.AsSpan(KeyOffset));
        return value;
    }

    /// <summary>
    /// Sets the key on a socket: before <c>Connect</c> to sign the handshake, or on a listener before <c>Accept</c>.
    /// A kernel without TCP_MD5SIG fails here with "protocol not available" (MetalLB issue 1125): the caller names it.
    /// </summary>
    public static void Apply(Socket socket, IPAddress peer, string key)
    {
        ArgumentNullException.ThrowIfNull(socket);
        socket.SetRawSocketOption(Level, Name, Build(peer, key));
    }
}
