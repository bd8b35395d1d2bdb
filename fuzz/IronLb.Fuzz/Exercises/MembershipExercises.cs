using System.Text;
using IronLb.Speaker.Membership;
using IronLb.Speaker.Membership.Ring;

namespace IronLb.Fuzz.Exercises;

/// <summary>
/// The membership v1 decoder on one datagram, as the membership-v1 fuzz targets and MembershipFuzzReplayTests both run
/// it (this file is compiled into both). Unsigned: the bytes as they arrive, so almost everything stops at the MAC.
/// Signed: the input is the signed part and a valid MAC is appended, so the field parsing behind it is reached. The
/// outcome must agree with the message; an accepted message must encode back to the same bytes (bar the reserved
/// bytes 6 and 7, ignored on receipt and written as zero) and carry only names that are UTF-8 as received.
/// </summary>
internal static class MembershipV1Exercise
{
    public static void Run(ReadOnlySpan<byte> input, bool signed)
    {
        var key = FuzzMembershipKey.Key;
        byte[] datagram;
        if (signed)
        {
            datagram = new byte[input.Length + MembershipKey.MacLength];
            input.CopyTo(datagram);
            key.Sign(input, datagram.AsSpan(input.Length));
        }
        else
        {
            datagram = input.ToArray();
        }

        var outcome = MembershipCodec.TryDecode(datagram, key, out var message);
        if ((outcome == ReceiveOutcome.Accepted) != (message is not null))
        {
            throw new ContractViolationException($"outcome {outcome} with message {(message is null ? "null" : "set")}");
        }

        if (message is null)
        {
            return;
        }

        if (!SameExceptReserved(MembershipCodec.Encode(message, key), datagram))
        {
            throw new ContractViolationException("an accepted datagram does not encode back to the same bytes");
        }

        if (message.Hears.Append(message.Sender).FirstOrDefault(n => n != Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(n))) is { } replaced)
        {
            throw new ContractViolationException($"an accepted name is not UTF-8 as received: {replaced}");
        }
    }

    private static bool SameExceptReserved(byte[] encoded, byte[] received) =>
        encoded.Length == received.Length
        && encoded.AsSpan(0, 6).SequenceEqual(received.AsSpan(0, 6))
        && encoded.AsSpan(8, encoded.Length - 8 - MembershipKey.MacLength).SequenceEqual(received.AsSpan(8, received.Length - 8 - MembershipKey.MacLength));
}

/// <summary>
/// The membership v2 (ring) decoder on one datagram, as the membership-v2 fuzz targets and RingFuzzReplayTests both run
/// it. Unsigned: almost everything stops at the magic, the version or the truncated MAC. Signed: a valid truncated MAC
/// is appended, so the kind, the flags and every body parser are reached. The outcome must agree with the message,
/// and an accepted datagram must encode back to exactly the same bytes (v2 ignores nothing: a reserved byte that is
/// not zero, or an unknown flag, is Malformed).
/// </summary>
internal static class MembershipV2Exercise
{
    public static void Run(ReadOnlySpan<byte> input, bool signed)
    {
        var key = FuzzMembershipKey.Key;
        var datagram = signed ? Sign(input) : input.ToArray();
        var outcome = RingCodec.TryDecode(datagram, key, out var message);
        if ((outcome == RingReceiveOutcome.Accepted) != (message is not null))
        {
            throw new ContractViolationException($"outcome {outcome} with message {(message is null ? "null" : "set")}");
        }

        if (message is not null && !RingCodec.Encode(message, key).AsSpan().SequenceEqual(datagram))
        {
            throw new ContractViolationException("an accepted datagram does not encode back to the same bytes");
        }
    }

    /// <summary>The input with a valid truncated MAC appended.</summary>
    public static byte[] Sign(ReadOnlySpan<byte> input)
    {
        var datagram = new byte[input.Length + RingCodec.MacLength];
        input.CopyTo(datagram);
        FuzzMembershipKey.Key.SignTruncated(input, datagram.AsSpan(input.Length));
        return datagram;
    }
}

/// <summary>
/// The fuzz program's key, so corpus inputs that carry a valid MAC verify in the replay tests too. A class of its own,
/// built on first use: instrumented code must not run before SharpFuzz starts.
/// </summary>
internal static class FuzzMembershipKey
{
    public static readonly MembershipKey Key = MembershipKey.Create([.. "ironlb-fuzz-membership-key"u8], insecure: false);
}
