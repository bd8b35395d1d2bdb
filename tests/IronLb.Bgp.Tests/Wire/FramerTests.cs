using System.Buffers;
using IronLb.Bgp.Wire;

namespace IronLb.Bgp.Tests.Wire;

/// <summary>Cutting a TCP stream into messages: whole ones, split ones, and header errors as soon as they show.</summary>
public sealed class FramerTests
{
    private static readonly byte[] Stream = [.. Golden.Open, .. Golden.Keepalive, .. Golden.UpdateV4, .. Golden.UpdateV6];

    [Fact]
    public void A_stream_of_messages_is_cut_at_their_lengths()
    {
        var buffer = new ReadOnlySequence<byte>(Stream);
        var lengths = new List<long>();

        while (BgpFramer.TryReadFrame(ref buffer, out var frame, out _) == FrameStatus.Frame)
        {
            lengths.Add(frame.Length);
            Assert.True(BgpFramer.Decode(frame, new BgpDecodeContext(true)).IsAccepted);
        }

        Assert.Equal([Golden.Open.Length, Golden.Keepalive.Length, Golden.UpdateV4.Length, Golden.UpdateV6.Length], lengths);
        Assert.Equal(0, buffer.Length);
    }

    [Fact]
    public void Every_cut_of_the_stream_waits_for_the_rest_of_the_message()
    {
        for (var cut = 0; cut < Golden.Open.Length; cut++)
        {
            Assert.Equal(FrameStatus.NeedMoreData, BgpFramer.TryReadFrame(Golden.Open.AsSpan(0, cut), out var length, out var fault));
            Assert.Equal(0, length);
            Assert.Equal(BgpFault.None, fault.Fault);
        }

        Assert.Equal(FrameStatus.Frame, BgpFramer.TryReadFrame(Stream, out var whole, out _));
        Assert.Equal(Golden.Open.Length, whole);
    }

    [Fact]
    public void A_frame_spread_over_segments_decodes_as_one()
    {
        var buffer = Segments(Stream, 5);
        var messages = new List<BgpMessage?>();

        while (BgpFramer.TryReadFrame(ref buffer, out var frame, out _) == FrameStatus.Frame)
        {
            messages.Add(BgpFramer.Decode(frame, new BgpDecodeContext(true)).Message);
        }

        Assert.Equal([Golden.OpenValue, KeepaliveMessage.Instance, Golden.UpdateV4Value, Golden.UpdateV6Value], messages);
    }

    [Fact]
    public void Framing_allocates_nothing()
    {
        ReadOnlySequence<byte>[] sources = [new(Stream), Segments(Stream, 64)];

        void Round()
        {
            foreach (var source in sources)
            {
                var buffer = source;
                while (BgpFramer.TryReadFrame(ref buffer, out _, out _) == FrameStatus.Frame)
                {
                }
            }
        }

        for (var i = 0; i < 1000; i++)
        {
            Round(); // warm up (JIT, tiering)
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            Round();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    public static TheoryData<string, byte[], BgpFault> HeaderErrors() => new()
    {
        { "first byte not 0xFF", [0x00], BgpFault.ConnectionNotSynchronized },
        { "tenth byte not 0xFF", [.. Golden.Marker[..9], 0x7F], BgpFault.ConnectionNotSynchronized },
        { "length 18", [.. Golden.Marker, 0x00, 0x12], BgpFault.BadMessageLength },
        { "length 4097", [.. Golden.Marker, 0x10, 0x01], BgpFault.BadMessageLength },
        { "length 0", [.. Golden.Marker, 0x00, 0x00, 0x04], BgpFault.BadMessageLength },
    };

    [Theory]
    [MemberData(nameof(HeaderErrors))]
    public void Header_errors_are_reported_as_soon_as_the_bytes_prove_them(string desc, byte[] bytes, BgpFault expected)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);

        var status = BgpFramer.TryReadFrame(ref buffer, out _, out var fault);

        Assert.True(status == FrameStatus.HeaderError, desc);
        Assert.Equal(expected, fault.Fault);
        Assert.Equal(bytes.Length, buffer.Length);
        Assert.Equal(BgpFaults.MessageHeaderError, fault.Notification!.ErrorCode);
    }

    [Fact]
    public void The_bad_length_is_the_NOTIFICATION_data()
    {
        BgpFramer.TryReadFrame([.. Golden.Marker, 0x10, 0x01], out _, out var fault);

        Assert.Equal(new NotificationMessage(1, 2, [0x10, 0x01]), fault.Notification);
    }

    [Fact]
    public void The_largest_message_is_framed_and_one_byte_more_is_not()
    {
        var largest = Golden.Message(3, [6, 0, .. new byte[4096 - 21]]);

        Assert.Equal(FrameStatus.Frame, BgpFramer.TryReadFrame(largest, out var length, out _));
        Assert.Equal(4096, length);
        Assert.True(BgpCodec.TryDecode(largest, new BgpDecodeContext(true)).IsAccepted);
        Assert.Equal(FrameStatus.HeaderError, BgpFramer.TryReadFrame(Golden.Message(3, [6, 0, .. new byte[4096 - 20]]), out _, out _));
    }

    private static ReadOnlySequence<byte> Segments(byte[] bytes, int size)
    {
        var first = new Segment(bytes.AsMemory(0, size), 0);
        var last = first;
        for (var at = size; at < bytes.Length; at += size)
        {
            last = last.Append(bytes.AsMemory(at, Math.Min(size, bytes.Length - at)));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
