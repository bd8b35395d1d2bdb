using System.Net;
using Microsoft.Extensions.Logging;

namespace IronLb.Monitoring.Http;

/// <summary>The endpoints' connection log. EventIds 201-209 (200 is MonitoringServer's "serving on").</summary>
internal static partial class HttpLog
{
    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "accepting a connection on {url} failed ({error}); retrying")]
    public static partial void LogAcceptFailed(this ILogger logger, string url, string error);

    [LoggerMessage(EventId = 202, Level = LogLevel.Error, Message = "answering {path} on {url} failed; replied 500")]
    public static partial void LogHandlerFailed(this ILogger logger, string path, string url, Exception exception);

    [LoggerMessage(EventId = 203, Level = LogLevel.Debug, Message = "refused a request from {peer} on {url}: {reason}")]
    public static partial void LogRefused(this ILogger logger, EndPoint? peer, string url, HeadStatus reason);

    [LoggerMessage(EventId = 204, Level = LogLevel.Debug, Message = "dropped a connection from {peer} on {url}: {reason} {stage}")]
    public static partial void LogDropped(this ILogger logger, EndPoint? peer, string url, string reason, string stage);
}
