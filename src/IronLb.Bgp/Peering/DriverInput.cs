using IronLb.Bgp.Wire;

namespace IronLb.Bgp.Peering;

/// <summary>
/// What the driver's loop consumes, one at a time. Inputs from a connection carry its epoch: anything from a
/// connection (or dial) the loop has already closed is dropped on arrival.
/// </summary>
internal abstract record DriverInput;

internal sealed record DialDone(int Epoch, System.Net.Sockets.Socket? Socket, string? Error) : DriverInput;

/// <summary>One whole message, copied out of the read buffer: it is decoded in the loop, with the state's decode context.</summary>
internal sealed record FrameReceived(int Epoch, byte[] Frame) : DriverInput;

/// <summary>The framer proved the header wrong (marker, length): the stream is out of step.</summary>
internal sealed record HeaderFault(int Epoch, BgpDecodeResult Fault) : DriverInput;

internal sealed record ConnectionEnded(int Epoch, string? Error) : DriverInput;

internal sealed record TimerFired : DriverInput
{
    public static TimerFired Instance { get; } = new();
}

internal sealed record RoutesChanged : DriverInput
{
    public static RoutesChanged Instance { get; } = new();
}

internal sealed record StopRequested : DriverInput
{
    public static StopRequested Instance { get; } = new();
}
