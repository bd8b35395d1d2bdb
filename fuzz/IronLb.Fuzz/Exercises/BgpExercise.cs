using System.Buffers;
using IronLb.Bgp.Wire;

namespace IronLb.Fuzz.Exercises;

/// <summary>
/// A TCP byte stream from a BGP peer through the framer and the decoder, run by the bgp fuzz target and
/// BgpFuzzReplayTests alike (this file is compiled into both). Besides never throwing, it checks what a session
/// will rely on: the stream cut in one piece and in small segments frames alike; a frame is 19..4,096 bytes;
/// a fault's action matches what comes with it (a NOTIFICATION for a reset, a withdrawal-only UPDATE for
/// treat-as-withdraw); and an accepted message encodes back and decodes to an equal value.
/// </summary>
internal static class BgpExercise
{
    private static readonly BgpDecodeContext[] Contexts = [new(FourOctetAs: true), new(FourOctetAs: false)];

    public static void Run(ReadOnlySpan<byte> input)
    {
        var bytes = input.ToArray();
        var whole = Frames(new ReadOnlySequence<byte>(bytes));
        var pieces = Frames(Segment.Chunked(bytes, 7));
        if (!whole.SequenceEqual(pieces))
        {
            throw new ContractViolationException($"framed {whole.Count} ways whole but {pieces.Count} in 7-byte segments");
        }

        var spanStatus = BgpFramer.TryReadFrame(bytes, out var firstLength, out _);
        if (whole.Count > 0 && (spanStatus != whole[0].Status || (spanStatus == FrameStatus.Frame && firstLength != whole[0].Length)))
        {
            throw new ContractViolationException($"the span framer said {spanStatus} ({firstLength}), the sequence framer {whole[0].Status} ({whole[0].Length})");
        }
    }

    private static List<(FrameStatus Status, long Length, BgpFault Fault)> Frames(ReadOnlySequence<byte> buffer)
    {
        var seen = new List<(FrameStatus, long, BgpFault)>();
        while (true)
        {
            var status = BgpFramer.TryReadFrame(ref buffer, out var frame, out var header);
            if (!Enum.IsDefined(status))
            {
                throw new ContractViolationException($"undefined frame status {(int)status}");
            }

            if (status != FrameStatus.Frame)
            {
                if (status == FrameStatus.HeaderError && header.Action != FaultAction.SessionReset)
                {
                    throw new ContractViolationException($"a header error {header.Fault} that does not reset the session");
                }

                seen.Add((status, buffer.Length, header.Fault));
                return seen;
            }

            if (frame.Length is < BgpConstants.HeaderLength or > BgpConstants.MaxMessageLength)
            {
                throw new ContractViolationException($"a frame of {frame.Length} bytes");
            }

            var fault = BgpFault.None;
            foreach (var context in Contexts)
            {
                var result = BgpFramer.Decode(frame, context);
                Check(result, context);
                fault = result.Fault;
            }

            seen.Add((status, frame.Length, fault));
        }
    }

    private static void Check(BgpDecodeResult result, BgpDecodeContext context)
    {
        if (!Enum.IsDefined(result.Fault))
        {
            throw new ContractViolationException($"undefined fault {(int)result.Fault}");
        }

        switch (result.Action)
        {
            case FaultAction.None or FaultAction.AttributeDiscard:
                if (result.Message is null)
                {
                    throw new ContractViolationException($"{result.Fault} without a message");
                }

                RoundTrip(result.Message, context);
                break;
            case FaultAction.SessionReset:
                if (result.Message is not null || result.Notification is not { ErrorCode: >= 1 and <= 3 })
                {
                    throw new ContractViolationException($"{result.Fault} resets without a header, OPEN or UPDATE NOTIFICATION");
                }

                break;
            case FaultAction.TreatAsWithdraw:
                if (result.Message is not UpdateMessage { Nlri.IsEmpty: true } withdrawal || withdrawal.Attributes.Any(a => a is not MpUnreachNlriAttribute))
                {
                    throw new ContractViolationException($"{result.Fault} is treat-as-withdraw but its UPDATE still announces");
                }

                break;
            default:
                throw new ContractViolationException($"undefined action {result.Action}");
        }
    }

    private static void RoundTrip(BgpMessage message, BgpDecodeContext context)
    {
        Span<byte> buffer = stackalloc byte[BgpConstants.MaxMessageLength];
        if (!BgpCodec.TryEncode(message, context.FourOctetAs, buffer, out var written))
        {
            throw new ContractViolationException($"an accepted {message.Type} that does not encode");
        }

        var again = BgpCodec.TryDecode(buffer[..written], context);
        if (!again.IsAccepted || !Equals(again.Message, message))
        {
            throw new ContractViolationException($"an accepted {message.Type} encodes to bytes that decode as {again.Fault} to {again.Message}");
        }
    }

    /// <summary>A sequence in fixed-size segments, as a socket's reads might deliver it.</summary>
    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        private Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public static ReadOnlySequence<byte> Chunked(byte[] bytes, int size)
        {
            if (bytes.Length <= size)
            {
                return new ReadOnlySequence<byte>(bytes);
            }

            var first = new Segment(bytes.AsMemory(0, size), 0);
            var last = first;
            for (var at = size; at < bytes.Length; at += size)
            {
                var next = new Segment(bytes.AsMemory(at, Math.Min(size, bytes.Length - at)), at);
                last.Next = next;
                last = next;
            }

            return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        }
    }
}
