using System.Buffers.Binary;
using IronLb.Speaker.Membership;

namespace IronLb.Speaker.Tests.Membership;

public sealed class MembershipCodecTests
{
    private static readonly MembershipKey Key = MembershipKey.Create([.. Enumerable.Repeat((byte)7, 32)], insecure: false);
    private static readonly MembershipKey OtherKey = MembershipKey.Create([.. Enumerable.Repeat((byte)8, 32)], insecure: false);

    private static readonly MembershipMessage Sample = new(MessageKind.Heartbeat, "node-a", 0xDEADBEEF01020304, 42, 1_764_158_400_000, 1234, ["node-b", "nöde-c"]);

    [Fact]
    public void RoundTripKeepsEveryField()
    {
        var bytes = MembershipCodec.Encode(Sample, Key);

        Assert.Equal(ReceiveOutcome.Accepted, MembershipCodec.TryDecode(bytes, Key, out var decoded));
        Assert.Equal(Sample with { Hears = [] }, decoded! with { Hears = [] });
        Assert.Equal(Sample.Hears, decoded.Hears);
    }

    [Fact]
    public void LayoutIsFixedBigEndian()
    {
        var bytes = MembershipCodec.Encode(Sample, Key);

        Assert.Equal("ILBM"u8.ToArray(), bytes[..4]);
        Assert.Equal(1, bytes[4]);
        Assert.Equal((byte)MessageKind.Heartbeat, bytes[5]);
        Assert.Equal(0xDEADBEEF01020304UL, BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(8)));
        Assert.Equal(42UL, BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(16)));
        Assert.Equal(6, bytes[40]);
        // 40 header + 7 sender + 2 count + 7 + 8 (ö is two bytes) + 32 MAC
        Assert.Equal(96, bytes.Length);
    }

    public static TheoryData<string, string> Corruptions => new()
    {
        { "flipped payload bit", nameof(ReceiveOutcome.BadMac) },
        { "flipped MAC bit", nameof(ReceiveOutcome.BadMac) },
        { "signed with another key", nameof(ReceiveOutcome.BadMac) },
        { "unsigned (insecure sender)", nameof(ReceiveOutcome.BadMac) },
        { "truncated", nameof(ReceiveOutcome.BadMac) },
        { "too short", nameof(ReceiveOutcome.Malformed) },
        { "wrong magic", nameof(ReceiveOutcome.BadMagic) },
        { "future version", nameof(ReceiveOutcome.UnsupportedVersion) },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void ForgedOrDamagedDatagramsAreRefused(string corruption, string expected)
    {
        var bytes = corruption switch
        {
            "signed with another key" => MembershipCodec.Encode(Sample, OtherKey),
            "unsigned (insecure sender)" => MembershipCodec.Encode(Sample, MembershipKey.Insecure),
            _ => MembershipCodec.Encode(Sample, Key),
        };
        switch (corruption)
        {
            case "flipped payload bit": bytes[45] ^= 1; break;
            case "flipped MAC bit": bytes[^1] ^= 1; break;
            case "truncated": bytes = bytes[..^1]; break;
            case "too short": bytes = bytes[..40]; break;
            case "wrong magic": bytes[0] = (byte)'X'; break;
            case "future version": bytes[4] = 2; break;
        }

        Assert.Equal(expected, MembershipCodec.TryDecode(bytes, Key, out var message).ToString());
        Assert.Null(message);
    }

    /// <summary>
    /// The flags word (reserved and zero before eligibility): bit 0 is "not eligible", so an older speaker's zero
    /// reads as eligible and the version stays 1; bits not known yet are ignored, not refused.
    /// </summary>
    [Theory]
    [InlineData((ushort)0x0000, true)] // an older speaker, or an eligible one
    [InlineData((ushort)0x0001, false)]
    [InlineData((ushort)0x8000, true)] // a future bit alone
    [InlineData((ushort)0xFFFF, false)]
    public void TheFlagsWordCarriesEligibility(ushort flags, bool eligible)
    {
        var bytes = MembershipCodec.Encode(Sample, Key);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(6), flags);
        Key.Sign(bytes.AsSpan(..^MembershipKey.MacLength), bytes.AsSpan(^MembershipKey.MacLength..));

        Assert.Equal(ReceiveOutcome.Accepted, MembershipCodec.TryDecode(bytes, Key, out var decoded));
        Assert.Equal(eligible, decoded!.Eligible);
    }

    [Theory]
    [InlineData(true, (ushort)0x0000)]
    [InlineData(false, (ushort)0x0001)]
    public void EligibilityRoundTripsInTheFlagsWord(bool eligible, ushort flags)
    {
        var message = Sample with { Eligible = eligible };
        var bytes = MembershipCodec.Encode(message, Key);

        Assert.Equal(flags, BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(6)));
        Assert.Equal(ReceiveOutcome.Accepted, MembershipCodec.TryDecode(bytes, Key, out var decoded));
        Assert.Equal(message, decoded! with { Hears = message.Hears });
    }

    [Fact]
    public void InsecureReceiverAcceptsUnsignedHeartbeats()
    {
        var bytes = MembershipCodec.Encode(Sample, MembershipKey.Insecure);

        Assert.Equal(ReceiveOutcome.Accepted, MembershipCodec.TryDecode(bytes, MembershipKey.Insecure, out _));
    }

    [Fact]
    public void SpeakerWithoutKeyRefusesToStartUnlessInsecureIsChosen()
    {
        var missing = Assert.Throws<InvalidOperationException>(() => MembershipKey.Create(null, insecure: false));
        Assert.Contains("--insecure-membership", missing.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => MembershipKey.Create([1, 2, 3], insecure: false));
        Assert.True(MembershipKey.Create(null, insecure: true).IsInsecure);
        Assert.False(MembershipKey.Create(new byte[16], insecure: true).IsInsecure);
    }
}
