using System.Collections.Immutable;
using IronLb.Core.Allocation;
using IronLb.Kubernetes.Events;
using IronLb.Speaker.Announcing;
using Microsoft.Extensions.Logging;

namespace IronLb.Speaker.Cluster;

/// <summary>What an evaluation changed, told to the log, the Service's events and the status reconciler.</summary>
internal sealed partial class ClusterSpeaker
{
    /// <summary>Logs, events and ServiceL2Status for what changed since the last evaluation.</summary>
    private void Report(SpeakerPlan plan, string trigger)
    {
        var next = plan.Services.ToDictionary(s => s.Service);
        foreach (var decision in plan.Services)
        {
            var previous = _decisions.GetValueOrDefault(decision.Service);
            if (previous is not null && Same(previous, decision))
            {
                continue;
            }

            var service = decision.Service.ToString();
            if (decision.Announces)
            {
                var interfaces = decision.Interfaces.AllInterfaces ? "all interfaces" : string.Join(',', decision.Interfaces.Interfaces);
                foreach (var ip in decision.Ips)
                {
                    Log.ServiceAnnounced(_logger, service, ip, _options.Node, interfaces);
                }
            }
            else if (!decision.InterfacesMissing.IsEmpty)
            {
                var missing = string.Join(',', decision.InterfacesMissing);
                LogAnnounceFailed(_logger, service, _options.Node, missing);
                RecordEvent(decision.Service, "Warning", ServiceDecision.AnnounceFailed,
                    $"the interfaces specified for LB IP \"{string.Join(',', decision.Ips)}\" ({missing}) don't exist on assigned node \"{_options.Node}\" with protocol \"layer2\"");
            }

            if (previous?.Announces == true && !decision.Announces)
            {
                var winner = decision.Winner ?? "none";
                foreach (var ip in previous.Ips)
                {
                    Log.ServiceWithdrawn(_logger, service, ip, _options.Node, decision.WithdrawReason, winner);
                }
            }
        }

        foreach (var gone in _decisions.Values.Where(d => d.Announces && !next.ContainsKey(d.Service)))
        {
            var service = gone.Service.ToString();
            foreach (var ip in gone.Ips)
            {
                Log.ServiceWithdrawn(_logger, service, ip, _options.Node, "serviceDeleted", "none");
            }
        }

        _decisions = next;
        _statuses.SetDesired(plan.Services.Where(d => d.Announces)
            .ToImmutableDictionary(d => d.Service, d => new L2StatusDesired(d.Interfaces.AllInterfaces ? [] : d.Interfaces.Interfaces, ConflictConditions(d))));
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            var speakers = string.Join(',', plan.Speakers);
            LogEvaluated(_logger, trigger, plan.Services.Length, plan.Table.Count, speakers);
        }
    }

    private void RecordEvent(ServiceKey key, string type, string reason, string message)
    {
        if (_services.Get(key.ToString()) is { Metadata: { } meta })
        {
            _events.Enqueue(EventRecorder.ReferenceTo("v1", "Service", meta), type, reason, message);
        }
    }

    private static bool Same(ServiceDecision a, ServiceDecision b) =>
        a.Decision == b.Decision && a.Winner == b.Winner && a.Ips.SequenceEqual(b.Ips)
        && a.Interfaces.AllInterfaces == b.Interfaces.AllInterfaces && a.Interfaces.Interfaces.SequenceEqual(b.Interfaces.Interfaces)
        && a.InterfacesMissing.SequenceEqual(b.InterfacesMissing) && a.HeldBack.SequenceEqual(b.HeldBack);
}
