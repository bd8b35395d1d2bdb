using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace IronLb.Speaker.Membership;

/// <summary>Membership logs (event ids 160–169 in the speaker's range).</summary>
internal static partial class MembershipLog
{
    [LoggerMessage(EventId = 160, Level = LogLevel.Information, Message = "Membership on {node}: live speakers {speakers} ({mode}); excluded: {excluded}")]
    public static partial void ViewChanged(ILogger logger, string node, IEnumerable<string> speakers, MembershipMode mode, string excluded);

    [LoggerMessage(EventId = 161, Level = LogLevel.Debug, Message = "Membership refused {count} datagram(s) as {reason} (at most one line per reason every {seconds} s), the latest from {endpoint}")]
    public static partial void Refused(ILogger logger, long count, ReceiveOutcome reason, int seconds, string endpoint);

    [LoggerMessage(EventId = 162, Level = LogLevel.Debug, Message = "Membership heartbeat to {node} not sent: {problem}")]
    public static partial void SendFailed(ILogger logger, string node, SocketError problem);

    [LoggerMessage(EventId = 163, Level = LogLevel.Warning, Message = "Membership refused {count} datagram(s) as {reason} (at most one line per reason every {seconds} s), the latest from {endpoint}")]
    public static partial void RefusedUnexpected(ILogger logger, long count, ReceiveOutcome reason, int seconds, string endpoint);

    [LoggerMessage(EventId = 164, Level = LogLevel.Warning, Message = "Membership on {node}: heartbeats fail across the cluster, so the speakers' Leases decide who is alive (API mode): electing over {speakers}")]
    public static partial void ApiModeEntered(ILogger logger, string node, IEnumerable<string> speakers);

    [LoggerMessage(EventId = 165, Level = LogLevel.Warning, Message = "Membership on {node} leaves API mode ({reason}); ring answers resume after {hold} ms")]
    public static partial void ApiModeLeft(ILogger logger, string node, string reason, int hold);

    [LoggerMessage(EventId = 166, Level = LogLevel.Warning, Message = "Membership on {node}: now a new incarnation, because {cause} ({stalls} stall(s) of this process so far); it answers again once it has joined as that one")]
    public static partial void NewIncarnation(ILogger logger, string node, string cause, long stalls);
}
