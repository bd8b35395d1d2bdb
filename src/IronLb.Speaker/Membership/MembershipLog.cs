using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace IronLb.Speaker.Membership;

/// <summary>Membership logs (event ids 300–309, clear of the speaker's own range).</summary>
internal static partial class MembershipLog
{
    [LoggerMessage(EventId = 160, Level = LogLevel.Information, Message = "Membership on {node}: live speakers {speakers} ({mode}); excluded: {excluded}")]
    public static partial void ViewChanged(ILogger logger, string node, IEnumerable<string> speakers, MembershipMode mode, string excluded);

    [LoggerMessage(EventId = 161, Level = LogLevel.Debug, Message = "Membership datagram from {endpoint} refused: {reason}")]
    public static partial void Refused(ILogger logger, IPEndPoint endpoint, ReceiveOutcome reason);

    [LoggerMessage(EventId = 162, Level = LogLevel.Debug, Message = "Membership heartbeat to {node} not sent: {problem}")]
    public static partial void SendFailed(ILogger logger, string node, SocketError problem);
}
