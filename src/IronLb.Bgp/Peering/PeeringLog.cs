using Microsoft.Extensions.Logging;

namespace IronLb.Bgp.Peering;

/// <summary>Source-generated logs of the BGP driver; <c>peer</c> is "address:port", as MetalLB's metric label.</summary>
internal static partial class PeeringLog
{
    [LoggerMessage(EventId = 1901, Level = LogLevel.Information, Message = "BGP session established with {peer} (hold {holdTime}, families {families})")]
    public static partial void SessionUp(ILogger logger, string peer, TimeSpan holdTime, Wire.EquatableArray<Session.BgpFamily> families);

    [LoggerMessage(EventId = 1902, Level = LogLevel.Warning, Message = "BGP session with {peer} down: {reason} {notification}")]
    public static partial void SessionDown(ILogger logger, string peer, Session.BgpCloseReason reason, string notification);

    [LoggerMessage(EventId = 1903, Level = LogLevel.Warning, Message = "Cannot connect to BGP peer {peer}: {error}; retrying with back-off (logged again only when the error changes)")]
    public static partial void DialFailing(ILogger logger, string peer, string error);

    [LoggerMessage(EventId = 1904, Level = LogLevel.Information, Message = "Connected to BGP peer {peer} from {local}")]
    public static partial void Connected(ILogger logger, string peer, System.Net.IPEndPoint? local);

    [LoggerMessage(EventId = 1905, Level = LogLevel.Warning, Message = "Sent NOTIFICATION to {peer}: {notification}")]
    public static partial void NotificationSent(ILogger logger, string peer, string notification);

    [LoggerMessage(EventId = 1906, Level = LogLevel.Warning, Message = "BGP peer {peer} sent NOTIFICATION: {notification}")]
    public static partial void NotificationReceived(ILogger logger, string peer, string notification);

    [LoggerMessage(EventId = 1907, Level = LogLevel.Warning, Message = "{count} routes cannot be sent to {peer}: their family is not negotiated or has no next hop")]
    public static partial void Unsendable(ILogger logger, string peer, int count);

    [LoggerMessage(EventId = 1908, Level = LogLevel.Warning, Message = "Connection to BGP peer {peer} failed: {error}")]
    public static partial void ConnectionFailed(ILogger logger, string peer, string error);

    [LoggerMessage(EventId = 1909, Level = LogLevel.Information, Message = "Closing the session with {peer} without Cease: graceful restart keeps our routes there until we are back")]
    public static partial void GracefulStop(ILogger logger, string peer);
}
