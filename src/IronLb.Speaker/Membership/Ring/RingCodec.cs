using System.Buffers.Binary;
using System.Collections.Immutable;

namespace IronLb.Speaker.Membership.Ring;

/// <summary>
/// The v2 wire format (docs/design/membership-v2.md, "Message formats"), all integers big-endian:
/// header magic "ILB2" | version 2 | kind | flags | reserved 0 | sender id u64 | incarnation u64 | sequence u64,
/// then the kind's body, then the first 16 bytes of HMAC-SHA256 over everything before. The MAC is checked
/// before the kind or any body byte is looked at; the decoder is total: any byte string gives a message or a reason.
/// </summary>
internal static class RingCodec
{
    public const uint Magic = 0x494C4232; // "ILB2"
    public const byte Version = 2;
    public const int HeaderLength = 32;
    public const int MacLength = MembershipKey.TruncatedMacLength;
    public const int MaxDatagram = 65_507;
    public const int HeartbeatBodyLength = 36;
    public const int ObservationLength = 21;
    public const int MaxObservations = 64;
    public const int MaxWitnesses = 8;
    public const int AckBodyLength = 20;

    public static int VerdictLength(Verdict verdict)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        return 23 + (8 * verdict.Witnesses.Length);
    }

    public static byte[] Encode(RingMessage message, MembershipKey key)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(key);
        var length = HeaderLength + BodyLength(message) + MacLength;
        if (length > MaxDatagram)
        {
            throw new InvalidOperationException($"ring message of {length} bytes does not fit a datagram");
        }

        var buffer = new byte[length];
        var writer = new Writer(buffer);
        var h = message.Header;
        writer.U32(Magic);
        writer.U8(Version);
        writer.U8((byte)h.Kind);
        writer.U8((byte)h.Flags);
        writer.U8(0);
        writer.U64(h.Sender);
        writer.U64(h.Incarnation);
        writer.U64(h.Sequence);
        WriteBody(ref writer, message);
        key.SignTruncated(buffer.AsSpan(0, writer.At), buffer.AsSpan(writer.At));
        return buffer;
    }

    public static RingReceiveOutcome TryDecode(ReadOnlySpan<byte> data, MembershipKey key, out RingMessage? message)
    {
        ArgumentNullException.ThrowIfNull(key);
        message = null;
        if (data.Length < HeaderLength + MacLength)
        {
            return RingReceiveOutcome.TooShort;
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(data) != Magic)
        {
            return RingReceiveOutcome.BadMagic;
        }

        if (data[4] != Version)
        {
            return RingReceiveOutcome.UnsupportedVersion;
        }

        var signed = data[..^MacLength];
        if (!key.VerifyTruncated(signed, data[^MacLength..]))
        {
            return RingReceiveOutcome.BadMac;
        }

        var kind = (RingMessageKind)data[5];
        if (kind is < RingMessageKind.Heartbeat or > RingMessageKind.Round)
        {
            return RingReceiveOutcome.UnknownKind;
        }

        var flags = (RingFlags)data[6];
        if ((flags & ~RingFlags.All) != 0 || data[7] != 0)
        {
            return RingReceiveOutcome.Malformed;
        }

        var reader = new Reader(signed[HeaderLength..]);
        var header = new RingHeader(
            kind,
            flags,
            BinaryPrimitives.ReadUInt64BigEndian(data[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(data[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(data[24..]));
        message = ReadBody(ref reader, header);
        if (message is null || !reader.AtEnd)
        {
            message = null;
            return RingReceiveOutcome.Malformed;
        }

        return RingReceiveOutcome.Accepted;
    }

    private static int BodyLength(RingMessage message) => message switch
    {
        HeartbeatMessage => HeartbeatBodyLength,
        ObservationMessage o => 1 + (ObservationLength * o.Observations.Length),
        VerdictMessage v => 2 + v.Verdicts.Sum(VerdictLength),
        PullRequestMessage => 0,
        AckMessage => AckBodyLength,
        AckRequestMessage => 4,
        RoundMessage r => 14 + r.Current.Length + r.Previous.Length,
        _ => throw new ArgumentException($"unknown ring message {message.GetType().Name}", nameof(message)),
    };

    private static void WriteBody(ref Writer writer, RingMessage message)
    {
        switch (message)
        {
            case HeartbeatMessage hb:
                writer.U64(hb.Receiver);
                writer.U64(hb.EchoIncarnation);
                writer.U64(hb.EchoSequence);
                writer.U32(hb.Generation);
                writer.U64(hb.VerdictDigest);
                break;
            case ObservationMessage o:
                if (o.Observations.Length is 0 or > MaxObservations)
                {
                    throw new ArgumentException($"1..{MaxObservations} observations per datagram", nameof(message));
                }

                writer.U8((byte)o.Observations.Length);
                foreach (var item in o.Observations)
                {
                    writer.U64(item.Subject);
                    writer.U64(item.Incarnation);
                    writer.U32(item.Generation);
                    writer.U8((byte)item.Opinion);
                }

                break;
            case VerdictMessage v:
                writer.U16(checked((ushort)v.Verdicts.Length));
                foreach (var verdict in v.Verdicts)
                {
                    if (verdict.Witnesses.Length is 0 or > MaxWitnesses)
                    {
                        throw new ArgumentException($"1..{MaxWitnesses} witnesses per verdict", nameof(message));
                    }

                    writer.U64(verdict.Subject);
                    writer.U64(verdict.Incarnation);
                    writer.U32(verdict.Generation);
                    writer.U8((byte)verdict.Kind);
                    writer.U8(verdict.Eligible ? (byte)1 : (byte)0);
                    writer.U8((byte)verdict.Witnesses.Length);
                    foreach (var witness in verdict.Witnesses)
                    {
                        writer.U64(witness);
                    }
                }

                break;
            case AckMessage a:
                writer.U64(a.Receiver);
                writer.U64(a.Incarnation);
                writer.U32(a.Generation);
                break;
            case AckRequestMessage r:
                writer.U32(r.Generation);
                break;
            case RoundMessage r:
                if (r.Current.Length != r.Previous.Length)
                {
                    throw new ArgumentException("round bitmaps must have one length", nameof(message));
                }

                writer.U32(r.TableDigest);
                writer.U64(r.Round);
                writer.U16(checked((ushort)r.Current.Length));
                writer.Bytes(r.Current.AsSpan());
                writer.Bytes(r.Previous.AsSpan());
                break;
        }
    }

    private static RingMessage? ReadBody(ref Reader reader, RingHeader header)
    {
        switch (header.Kind)
        {
            case RingMessageKind.Heartbeat:
                return reader.Remaining != HeartbeatBodyLength
                    ? null
                    : new HeartbeatMessage(header, reader.U64(), reader.U64(), reader.U64(), reader.U32(), reader.U64());
            case RingMessageKind.Observation:
                return ReadObservations(ref reader, header);
            case RingMessageKind.Gossip or RingMessageKind.PullResponse:
                return ReadVerdicts(ref reader, header);
            case RingMessageKind.PullRequest:
                return new PullRequestMessage(header);
            case RingMessageKind.Ack:
                return reader.Remaining != AckBodyLength ? null : new AckMessage(header, reader.U64(), reader.U64(), reader.U32());
            case RingMessageKind.AckRequest:
                return reader.Remaining != 4 ? null : new AckRequestMessage(header, reader.U32());
            default:
                return ReadRound(ref reader, header);
        }
    }

    private static ObservationMessage? ReadObservations(ref Reader reader, RingHeader header)
    {
        if (reader.Remaining < 1)
        {
            return null;
        }

        int count = reader.U8();
        if (count is 0 or > MaxObservations || reader.Remaining != count * ObservationLength)
        {
            return null;
        }

        var items = ImmutableArray.CreateBuilder<Observation>(count);
        for (var i = 0; i < count; i++)
        {
            var item = new Observation(reader.U64(), reader.U64(), reader.U32(), (Opinion)reader.U8());
            if (item.Opinion is < Opinion.Down or > Opinion.UpIneligible)
            {
                return null;
            }

            items.Add(item);
        }

        return new ObservationMessage(header, items.MoveToImmutable());
    }

    private static VerdictMessage? ReadVerdicts(ref Reader reader, RingHeader header)
    {
        if (reader.Remaining < 2)
        {
            return null;
        }

        int count = reader.U16();
        var items = ImmutableArray.CreateBuilder<Verdict>(Math.Min(count, reader.Remaining / 31));
        for (var i = 0; i < count; i++)
        {
            if (reader.Remaining < 23)
            {
                return null;
            }

            var (subject, incarnation, generation) = (reader.U64(), reader.U64(), reader.U32());
            var kind = (VerdictKind)reader.U8();
            var eligible = reader.U8();
            int witnesses = reader.U8();
            if (kind is < VerdictKind.Alive or > VerdictKind.Left || eligible > 1
                || witnesses is 0 or > MaxWitnesses || reader.Remaining < witnesses * 8)
            {
                return null;
            }

            var ids = ImmutableArray.CreateBuilder<ulong>(witnesses);
            for (var w = 0; w < witnesses; w++)
            {
                ids.Add(reader.U64());
            }

            items.Add(new Verdict(subject, incarnation, generation, kind, eligible == 1, ids.MoveToImmutable()));
        }

        return new VerdictMessage(header, items.ToImmutable());
    }

    private static RoundMessage? ReadRound(ref Reader reader, RingHeader header)
    {
        if (reader.Remaining < 14)
        {
            return null;
        }

        var (digest, round) = (reader.U32(), reader.U64());
        int length = reader.U16();
        if (reader.Remaining != 2 * length)
        {
            return null;
        }

        return new RoundMessage(header, digest, round, reader.Bytes(length), reader.Bytes(length));
    }

    private ref struct Writer(Span<byte> buffer)
    {
        private readonly Span<byte> _buffer = buffer;

        public int At { get; private set; }

        public void U8(byte value) => _buffer[At++] = value;

        public void U16(ushort value)
        {
            BinaryPrimitives.WriteUInt16BigEndian(_buffer[At..], value);
            At += 2;
        }

        public void U32(uint value)
        {
            BinaryPrimitives.WriteUInt32BigEndian(_buffer[At..], value);
            At += 4;
        }

        public void U64(ulong value)
        {
            BinaryPrimitives.WriteUInt64BigEndian(_buffer[At..], value);
            At += 8;
        }

        public void Bytes(ReadOnlySpan<byte> value)
        {
            value.CopyTo(_buffer[At..]);
            At += value.Length;
        }
    }

    /// <summary>Callers check Remaining before reading, so reads never run past the end.</summary>
    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _at;

        public readonly int Remaining => _data.Length - _at;

        public readonly bool AtEnd => _at == _data.Length;

        public byte U8() => _data[_at++];

        public ushort U16()
        {
            var value = BinaryPrimitives.ReadUInt16BigEndian(_data[_at..]);
            _at += 2;
            return value;
        }

        public uint U32()
        {
            var value = BinaryPrimitives.ReadUInt32BigEndian(_data[_at..]);
            _at += 4;
            return value;
        }

        public ulong U64()
        {
            var value = BinaryPrimitives.ReadUInt64BigEndian(_data[_at..]);
            _at += 8;
            return value;
        }

        public ImmutableArray<byte> Bytes(int length)
        {
            var value = ImmutableArray.Create(_data.Slice(_at, length));
            _at += length;
            return value;
        }
    }
}
