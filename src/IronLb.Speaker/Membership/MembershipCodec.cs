using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Text;

namespace IronLb.Speaker.Membership;

/// <summary>
/// Fixed big-endian layout (docs/membership.md):
/// magic "ILBM" | version u8 | kind u8 | flags u16 | incarnation u64 | sequence u64 | startedAt i64 ms |
/// uptime i64 ms | sender (u8 length + UTF-8) | hears count u16 | hears (u8 length + UTF-8)* | HMAC-SHA256 (32).
/// The MAC covers every byte before it, so it is checked before any field is trusted.
/// Flags were a reserved, zero u16 before eligibility: bit 0 set means "not eligible", so a zero (an older
/// speaker) reads as eligible and the version stays 1; bits this speaker does not know are ignored.
/// </summary>
internal static class MembershipCodec
{
    public const uint Magic = 0x494C424D; // "ILBM"
    public const byte Version = 1;
    public const int HeaderLength = 40;
    public const int MaxNameLength = 253; // a DNS subdomain, the longest Kubernetes node name
    public const int MaxDatagram = 65_507; // largest UDP payload over IPv4

    /// <summary>Flags bit 0: the sender has never had a valid configuration and must not be elected.</summary>
    public const ushort NotEligibleFlag = 0x0001;

    // Strict: a name that is not UTF-8 makes the datagram Malformed. The lenient decoder turned invalid bytes into
    // U+FFFD, so two different names on the wire could read as one node (found by fuzz/ membership-v1-signed).
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static byte[] Encode(MembershipMessage message, MembershipKey key)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(key);
        var length = HeaderLength + NameLength(message.Sender) + 2 + message.Hears.Sum(NameLength) + MembershipKey.MacLength;
        if (length > MaxDatagram || message.Hears.Length > ushort.MaxValue)
        {
            throw new InvalidOperationException($"membership message of {length} bytes does not fit a datagram");
        }

        var buffer = new byte[length];
        var span = buffer.AsSpan();
        BinaryPrimitives.WriteUInt32BigEndian(span, Magic);
        span[4] = Version;
        span[5] = (byte)message.Kind;
        BinaryPrimitives.WriteUInt16BigEndian(span[6..], message.Eligible ? (ushort)0 : NotEligibleFlag);
        BinaryPrimitives.WriteUInt64BigEndian(span[8..], message.Incarnation);
        BinaryPrimitives.WriteUInt64BigEndian(span[16..], message.Sequence);
        BinaryPrimitives.WriteInt64BigEndian(span[24..], message.StartedAtUnixMs);
        BinaryPrimitives.WriteInt64BigEndian(span[32..], message.UptimeMs);
        var at = HeaderLength;
        at += WriteName(span[at..], message.Sender);
        BinaryPrimitives.WriteUInt16BigEndian(span[at..], (ushort)message.Hears.Length);
        at += 2;
        foreach (var name in message.Hears)
        {
            at += WriteName(span[at..], name);
        }

        key.Sign(span[..at], span[at..]);
        return buffer;
    }

    public static ReceiveOutcome TryDecode(ReadOnlySpan<byte> data, MembershipKey key, out MembershipMessage? message)
    {
        ArgumentNullException.ThrowIfNull(key);
        message = null;
        if (data.Length < HeaderLength + 1 + 2 + MembershipKey.MacLength)
        {
            return ReceiveOutcome.Malformed;
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(data) != Magic)
        {
            return ReceiveOutcome.BadMagic;
        }

        if (data[4] != Version)
        {
            return ReceiveOutcome.UnsupportedVersion;
        }

        var signed = data[..^MembershipKey.MacLength];
        if (!key.Verify(signed, data[^MembershipKey.MacLength..]))
        {
            return ReceiveOutcome.BadMac;
        }

        var kind = (MessageKind)data[5];
        if (kind is not (MessageKind.Heartbeat or MessageKind.Goodbye))
        {
            return ReceiveOutcome.Malformed;
        }

        var at = HeaderLength;
        if (!TryReadName(signed, ref at, out var sender) || at + 2 > signed.Length)
        {
            return ReceiveOutcome.Malformed;
        }

        int count = BinaryPrimitives.ReadUInt16BigEndian(signed[at..]);
        at += 2;
        var hears = ImmutableArray.CreateBuilder<string>(count);
        for (var i = 0; i < count; i++)
        {
            if (!TryReadName(signed, ref at, out var name))
            {
                return ReceiveOutcome.Malformed;
            }

            hears.Add(name);
        }

        if (at != signed.Length)
        {
            return ReceiveOutcome.Malformed;
        }

        message = new MembershipMessage(
            kind,
            sender,
            BinaryPrimitives.ReadUInt64BigEndian(data[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(data[16..]),
            BinaryPrimitives.ReadInt64BigEndian(data[24..]),
            BinaryPrimitives.ReadInt64BigEndian(data[32..]),
            hears.MoveToImmutable())
        {
            Eligible = (BinaryPrimitives.ReadUInt16BigEndian(data[6..]) & NotEligibleFlag) == 0,
        };
        return ReceiveOutcome.Accepted;
    }

    private static int NameLength(string name)
    {
        var bytes = Encoding.UTF8.GetByteCount(name);
        return bytes is 0 or > MaxNameLength
            ? throw new ArgumentException($"node name must be 1..{MaxNameLength} UTF-8 bytes", nameof(name))
            : 1 + bytes;
    }

    private static int WriteName(Span<byte> span, string name)
    {
        var written = Encoding.UTF8.GetBytes(name, span[1..]);
        span[0] = (byte)written;
        return 1 + written;
    }

    private static bool TryReadName(ReadOnlySpan<byte> data, ref int at, out string name)
    {
        name = string.Empty;
        if (at >= data.Length)
        {
            return false;
        }

        int length = data[at];
        if (length == 0 || at + 1 + length > data.Length)
        {
            return false;
        }

        try
        {
            name = StrictUtf8.GetString(data.Slice(at + 1, length));
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        at += 1 + length;
        return true;
    }
}
