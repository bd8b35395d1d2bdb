using System.Net;
using Microsoft.Extensions.Logging;

namespace IronLb.Speaker.Cluster;

/// <summary>The cluster speaker's own logs (event ids 120–129; announce and withdraw use the speaker's shared ones).</summary>
internal sealed partial class ClusterSpeaker
{
    [LoggerMessage(EventId = 120, Level = LogLevel.Information, Message = "Speaker {node} on the cluster: heartbeats at {endpoint}, {peers} peers known")]
    private static partial void LogStarted(ILogger logger, string node, IPEndPoint endpoint, int peers);

    [LoggerMessage(EventId = 121, Level = LogLevel.Warning, Message = "Membership runs without authentication (--insecure-membership): anyone on the network can move addresses")]
    private static partial void LogInsecure(ILogger logger);

    [LoggerMessage(EventId = 122, Level = LogLevel.Warning, Message = "Node {node} does not exist; this speaker can never be elected until it does")]
    private static partial void LogNodeMissing(ILogger logger, string node);

    [LoggerMessage(EventId = 123, Level = LogLevel.Error, Message = "Configuration not valid, keeping the last good one ({pools} pools): {problem}")]
    private static partial void LogConfigRejected(ILogger logger, int pools, string problem);

    [LoggerMessage(EventId = 124, Level = LogLevel.Warning, Message = "{service} elected on {node}, but none of its interfaces {interfaces} exists here: not announced")]
    private static partial void LogAnnounceFailed(ILogger logger, string service, string node, string interfaces);

    [LoggerMessage(EventId = 125, Level = LogLevel.Debug, Message = "Evaluated ({trigger}): {services} LoadBalancer Services, {addresses} addresses announced here, speakers {speakers}")]
    private static partial void LogEvaluated(ILogger logger, string trigger, int services, int addresses, string speakers);

    [LoggerMessage(EventId = 126, Level = LogLevel.Information, Message = "Membership peers: {peers}")]
    private static partial void LogPeers(ILogger logger, string peers);

    [LoggerMessage(EventId = 127, Level = LogLevel.Warning, Message = "Speaker pod {pod} not readable; objects are written without an owner")]
    private static partial void LogOwnerUnknown(ILogger logger, Exception exception, string pod);

    [LoggerMessage(EventId = 182, Level = LogLevel.Information, Message = "Speaker {node} has a valid configuration and knows its peers: eligible for the election from now on")]
    private static partial void LogEligible(ILogger logger, string node);

    [LoggerMessage(EventId = 129, Level = LogLevel.Error, Message = "Evaluation after {trigger} failed; keeping the last table")]
    private static partial void LogEvaluationFailed(ILogger logger, Exception exception, string trigger);
}
