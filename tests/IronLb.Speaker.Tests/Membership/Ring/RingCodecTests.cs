using System.Buffers.Binary;
using CsCheck;
using IronLb.Speaker.Membership;
using IronLb.Speaker.Membership.Ring;

namespace IronLb.Speaker.Tests.Membership.Ring;

public sealed class RingCodecTests
{
    private static readonly MembershipKey Key = RingSim.Key;
    private static readonly MembershipKey OtherKey = MembershipKey.Create([.. Enumerable.Repeat((byte)9, 32)], insecure: false);

    private static RingHeader H(RingMessageKind kind, RingFlags flags = RingFlags.Eligible) => new(kind, flags, 0x0102030405060708, 7, 99);

    public static TheoryData<string> Kinds => [.. Samples.Keys];

    private static readonly Dictionary<string, RingMessage> Samples = new()
    {
        ["heartbeat"] = new HeartbeatMessage(H(RingMessageKind.Heartbeat, RingFlags.HearYou | RingFlags.Fenced), 11, 3, 1234, 2, 0xFEEDFACECAFEBEEF),
        ["observation"] = new ObservationMessage(H(RingMessageKind.Observation), [new(5, 6, 0, Opinion.Down), new(8, 9, 3, Opinion.UpIneligible)]),
        ["gossip"] = new VerdictMessage(H(RingMessageKind.Gossip), [new(5, 6, uint.MaxValue, VerdictKind.Dead, false, [1, 2, 3]), new(8, 9, 1, VerdictKind.Alive, true, [4, 5, 6, 7])]),
        ["pull response (empty book)"] = new VerdictMessage(H(RingMessageKind.PullResponse), []),
        ["pull request"] = new PullRequestMessage(H(RingMessageKind.PullRequest, RingFlags.Leaving)),
        ["ack"] = new AckMessage(H(RingMessageKind.Ack), 12, 13, 14),
        ["ack request"] = new AckRequestMessage(H(RingMessageKind.AckRequest), 15),
        ["round"] = new RoundMessage(H(RingMessageKind.Round), 0xABCD, 77, [1, 2, 3], [4, 5, 6]),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_kind_round_trips(string kind)
    {
        var message = Samples[kind];
        var bytes = RingCodec.Encode(message, Key);

        Assert.Equal(RingReceiveOutcome.Accepted, RingCodec.TryDecode(bytes, Key, out var decoded));
        Assert.Equal(message.GetType(), decoded!.GetType());
        Assert.Equal(message.Header, decoded.Header);
        Assert.Equal(bytes, RingCodec.Encode(decoded, Key));
    }

    [Fact]
    public void A_heartbeat_is_84_bytes_with_the_layout_of_the_design()
    {
        var bytes = RingCodec.Encode(Samples["heartbeat"], Key);

        Assert.Equal(32 + 36 + 16, bytes.Length);
        Assert.Equal("ILB2"u8.ToArray(), bytes[..4]);
        Assert.Equal(2, bytes[4]);
        Assert.Equal((byte)RingMessageKind.Heartbeat, bytes[5]);
        Assert.Equal((byte)(RingFlags.HearYou | RingFlags.Fenced), bytes[6]);
        Assert.Equal(0x0102030405060708UL, BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(8)));
        Assert.Equal(99UL, BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(24)));
        Assert.Equal(11UL, BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(32)));
    }

    public static TheoryData<string, string> Refusals => new()
    {
        { "empty", nameof(RingReceiveOutcome.TooShort) },
        { "one byte short of header and MAC", nameof(RingReceiveOutcome.TooShort) },
        { "v1 magic", nameof(RingReceiveOutcome.BadMagic) },
        { "version 3", nameof(RingReceiveOutcome.UnsupportedVersion) },
        { "flipped body bit", nameof(RingReceiveOutcome.BadMac) },
        { "other key", nameof(RingReceiveOutcome.BadMac) },
        { "kind 0, signed", nameof(RingReceiveOutcome.UnknownKind) },
        { "kind 9, signed", nameof(RingReceiveOutcome.UnknownKind) },
        { "reserved byte set, signed", nameof(RingReceiveOutcome.Malformed) },
        { "unknown flag, signed", nameof(RingReceiveOutcome.Malformed) },
        { "heartbeat body one byte short, signed", nameof(RingReceiveOutcome.Malformed) },
        { "observation count 0, signed", nameof(RingReceiveOutcome.Malformed) },
        { "opinion 7, signed", nameof(RingReceiveOutcome.Malformed) },
        { "verdict kind 0, signed", nameof(RingReceiveOutcome.Malformed) },
        { "verdict with 9 witnesses, signed", nameof(RingReceiveOutcome.Malformed) },
        { "round bitmaps of different length, signed", nameof(RingReceiveOutcome.Malformed) },
        { "trailing byte, signed", nameof(RingReceiveOutcome.Malformed) },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Every_refusal_has_a_reason(string corruption, string expected)
    {
        var bytes = Corrupt(corruption);

        Assert.Equal(Enum.Parse<RingReceiveOutcome>(expected), RingCodec.TryDecode(bytes, Key, out var message));
        Assert.Null(message);
    }

    [Fact]
    public void Random_bytes_never_throw() =>
        Gen.Byte.Array[0, 300].Sample(bytes => RingCodec.TryDecode(bytes, Key, out _) != RingReceiveOutcome.Accepted, iter: 20_000);

    [Fact]
    public void Random_bodies_under_a_valid_header_and_MAC_never_throw() =>
        Gen.Select(Gen.Byte[1, 8], Gen.Byte[0, 15], Gen.Byte.Array[0, 200]).Sample(
            t =>
            {
                var (kind, flags, body) = t;
                var bytes = new byte[32 + body.Length + 16];
                "ILB2"u8.CopyTo(bytes);
                bytes[4] = 2;
                bytes[5] = kind;
                bytes[6] = flags;
                body.CopyTo(bytes, 32);
                Key.SignTruncated(bytes.AsSpan(0, 32 + body.Length), bytes.AsSpan(32 + body.Length));
                var outcome = RingCodec.TryDecode(bytes, Key, out var message);
                return outcome is RingReceiveOutcome.Accepted or RingReceiveOutcome.Malformed && (outcome == RingReceiveOutcome.Accepted) == (message is not null);
            },
            iter: 20_000);

    [Fact]
    public void Insecure_mode_sends_a_zero_MAC_that_a_keyed_node_refuses()
    {
        var bytes = RingCodec.Encode(Samples["ack"], MembershipKey.Insecure);

        Assert.All(bytes[^16..], b => Assert.Equal(0, b));
        Assert.Equal(RingReceiveOutcome.BadMac, RingCodec.TryDecode(bytes, Key, out _));
        Assert.Equal(RingReceiveOutcome.Accepted, RingCodec.TryDecode(bytes, MembershipKey.Insecure, out _));
    }

    private static byte[] Corrupt(string corruption)
    {
        var heartbeat = RingCodec.Encode(Samples["heartbeat"], Key);
        return corruption switch
        {
            "empty" => [],
            "one byte short of header and MAC" => heartbeat[..47],
            "v1 magic" => Patch(heartbeat, 0, "ILBM"u8, sign: false),
            "version 3" => Patch(heartbeat, 4, [3], sign: false),
            "flipped body bit" => Patch(heartbeat, 40, [(byte)(heartbeat[40] ^ 1)], sign: false),
            "other key" => RingCodec.Encode(Samples["heartbeat"], OtherKey),
            "kind 0, signed" => Patch(heartbeat, 5, [0], sign: true),
            "kind 9, signed" => Patch(heartbeat, 5, [9], sign: true),
            "reserved byte set, signed" => Patch(heartbeat, 7, [1], sign: true),
            "unknown flag, signed" => Patch(heartbeat, 6, [0x80], sign: true),
            "heartbeat body one byte short, signed" => Resign([.. heartbeat[..^17], .. heartbeat[^16..]]),
            "observation count 0, signed" => Patch(RingCodec.Encode(Samples["observation"], Key), 32, [0], sign: true),
            "opinion 7, signed" => Patch(RingCodec.Encode(Samples["observation"], Key), 32 + 21, [7], sign: true),
            "verdict kind 0, signed" => Patch(RingCodec.Encode(Samples["gossip"], Key), 32 + 2 + 20, [0], sign: true),
            "verdict with 9 witnesses, signed" => Patch(RingCodec.Encode(Samples["gossip"], Key), 32 + 2 + 22, [9], sign: true),
            "round bitmaps of different length, signed" => Patch(RingCodec.Encode(Samples["round"], Key), 32 + 12, [0, 2], sign: true),
            "trailing byte, signed" => Resign([.. heartbeat[..^16], 0, .. heartbeat[^16..]]),
            _ => throw new ArgumentException(corruption),
        };
    }

    private static byte[] Patch(byte[] original, int at, ReadOnlySpan<byte> bytes, bool sign)
    {
        var copy = original.ToArray();
        bytes.CopyTo(copy.AsSpan(at));
        return sign ? Resign(copy) : copy;
    }

    private static byte[] Resign(byte[] bytes)
    {
        Key.SignTruncated(bytes.AsSpan(0, bytes.Length - 16), bytes.AsSpan(bytes.Length - 16));
        return bytes;
    }
}
