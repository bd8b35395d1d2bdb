using System.Buffers;
using System.Buffers.Binary;

namespace IronLb.Bgp.Wire;

/// <summary>What <see cref="BgpFramer"/> found at the front of the received bytes.</summary>
public enum FrameStatus : byte
{
    /// <summary>Not enough bytes for the next message yet (nothing is wrong with those there are).</summary>
    NeedMoreData = 0,

    /// <summary>A whole message, between 19 and 4,096 bytes, whose marker is intact.</summary>
    Frame,

    /// <summary>The header is wrong (marker or length): the stream is out of step and the session must be reset.</summary>
    HeaderError,
}

/// <summary>
/// Cuts a TCP byte stream into BGP messages. It reads the header only (marker, length); the body is the
/// decoder's business. A fault is reported as soon as the bytes already received prove it: a marker byte that is
/// not 0xFF, a length outside 19..4096. It never throws and never copies: frames are slices of the input.
/// </summary>
public static class BgpFramer
{
    /// <summary>
    /// Looks at the front of <paramref name="buffer"/> (PipeReader style). On <see cref="FrameStatus.Frame"/>,
    /// <paramref name="frame"/> is the message and <paramref name="buffer"/> is advanced past it; otherwise
    /// <paramref name="buffer"/> is unchanged and, on a header error, <paramref name="fault"/> holds the
    /// NOTIFICATION to send.
    /// </summary>
    public static FrameStatus TryReadFrame(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> frame, out BgpDecodeResult fault)
    {
        frame = default;
        Span<byte> header = stackalloc byte[BgpConstants.HeaderLength];
        var available = (int)Math.Min(buffer.Length, BgpConstants.HeaderLength);
        buffer.Slice(0, available).CopyTo(header);
        var status = Inspect(header[..available], buffer.Length, out var length, out fault);
        if (status == FrameStatus.Frame)
        {
            frame = buffer.Slice(0, length);
            buffer = buffer.Slice(length);
        }

        return status;
    }

    /// <summary>The same over a contiguous buffer: on a frame, <paramref name="frameLength"/> bytes from the start are the message.</summary>
    public static FrameStatus TryReadFrame(ReadOnlySpan<byte> buffer, out int frameLength, out BgpDecodeResult fault)
    {
        var status = Inspect(buffer[..Math.Min(buffer.Length, BgpConstants.HeaderLength)], buffer.Length, out frameLength, out fault);
        if (status != FrameStatus.Frame)
        {
            frameLength = 0;
        }

        return status;
    }

    /// <summary>
    /// Decodes a frame from <see cref="TryReadFrame(ref ReadOnlySequence{byte}, out ReadOnlySequence{byte}, out BgpDecodeResult)"/>,
    /// copying it to the stack only when it spans segments.
    /// </summary>
    public static BgpDecodeResult Decode(in ReadOnlySequence<byte> frame, in BgpDecodeContext context)
    {
        if (frame.IsSingleSegment)
        {
            return BgpCodec.TryDecode(frame.FirstSpan, context);
        }

        if (frame.Length > BgpConstants.MaxMessageLength)
        {
            return BgpDecodeResult.Reset(BgpFault.BadMessageLength, []);
        }

        Span<byte> copy = stackalloc byte[BgpConstants.MaxMessageLength];
        frame.CopyTo(copy);
        return BgpCodec.TryDecode(copy[..(int)frame.Length], context);
    }

    private static FrameStatus Inspect(ReadOnlySpan<byte> header, long available, out int length, out BgpDecodeResult fault)
    {
        length = 0;
        fault = BgpCodec.CheckHeader(header);
        if (fault.Fault != BgpFault.None)
        {
            return FrameStatus.HeaderError;
        }

        if (header.Length < 18)
        {
            return FrameStatus.NeedMoreData;
        }

        length = BinaryPrimitives.ReadUInt16BigEndian(header[16..]);
        return available >= length ? FrameStatus.Frame : FrameStatus.NeedMoreData;
    }
}
