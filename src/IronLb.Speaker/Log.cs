using Microsoft.Extensions.Logging;

namespace IronLb.Speaker;

/// <summary>Source-generated logs with the house's stable property names (<c>service</c>, <c>ip</c>, <c>node</c>, <c>interface</c>).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Announcing {service} {ip} from {node} on {interface}")]
    public static partial void ServiceAnnounced(ILogger logger, string service, string ip, string node, string @interface);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Withdrawing {service} {ip} on {node}: {reason} (winner {winner})")]
    public static partial void ServiceWithdrawn(ILogger logger, string service, string ip, string node, string reason, string winner);

    [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "Not announcing {service} {ip} on {node}: {reason} (winner {winner})")]
    public static partial void ServiceNotAnnounced(ILogger logger, string service, string ip, string node, string reason, string winner);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "Loaded manifests: {services} LoadBalancer Services, {announced} announced by {node}, {addresses} addresses, speakers {speakers}, BGP: {routes} routes to {peers} peers")]
    public static partial void Loaded(ILogger logger, int services, int announced, string node, int addresses, string speakers, int routes, int peers);

    [LoggerMessage(EventId = 104, Level = LogLevel.Error, Message = "Manifests not usable, keeping the last good state ({kept} addresses): {problem}")]
    public static partial void ReloadRejected(ILogger logger, int kept, string problem);

    [LoggerMessage(EventId = 105, Level = LogLevel.Warning, Message = "Configuration warning: {problem}")]
    public static partial void ConfigWarning(ILogger logger, string problem);

    [LoggerMessage(EventId = 106, Level = LogLevel.Warning, Message = "Node {node} is not among the speakers ({speakers}); it will never be elected")]
    public static partial void NodeNotASpeaker(ILogger logger, string node, string speakers);

    [LoggerMessage(EventId = 107, Level = LogLevel.Warning, Message = "Cannot watch {path} for changes; relying on the periodic re-read")]
    public static partial void WatchFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 108, Level = LogLevel.Debug, Message = "Re-reading manifests ({trigger})")]
    public static partial void Reloading(ILogger logger, string trigger);

    [LoggerMessage(EventId = 109, Level = LogLevel.Error, Message = "Reading manifests failed, keeping the last good state")]
    public static partial void ReloadFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 110, Level = LogLevel.Information, Message = "Speaker {node} running from manifests {paths}")]
    public static partial void Started(ILogger logger, string node, string paths);
}
