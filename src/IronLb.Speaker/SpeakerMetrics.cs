using System.Collections.Immutable;
using System.Diagnostics.Metrics;
using IronLb.Bgp.Peering;
using IronLb.Kubernetes.Status;
using IronLb.Networking.Egress;
using IronLb.Speaker.Announcing;
using IronLb.Speaker.Bgp;
using IronLb.Speaker.Conflicts;
using IronLb.Speaker.Egress;
using IronLb.Speaker.Membership;

namespace IronLb.Speaker;

/// <summary>
/// MetalLB's <c>metallb_speaker_announced{service,protocol,node,ip}</c> = 1 for every address this node
/// announces (protocol layer2 or bgp), observed from the current plan so withdrawn series vanish on the next
/// scrape; with BGP sessions, MetalLB's <c>metallb_bgp_*</c> series (<see cref="BgpMetrics"/>). With a
/// membership, IronLB's own <c>ironlb_membership_accepted_total</c>,
/// <c>ironlb_membership_refused_total{reason}</c> (reasons: the ReceiveOutcome names), and the ring's
/// <c>ironlb_membership_stalls_total</c> and <c>ironlb_membership_new_incarnations_total{cause}</c>.
/// </summary>
internal sealed class SpeakerMetrics : IDisposable
{
    public const string MeterName = "IronLb.Speaker";

    private readonly Meter _meter;

    /// <param name="node">This node.</param>
    /// <param name="current">The plan announced now.</param>
    /// <param name="writes">The speaker's writes to the API server; none when it runs from files.</param>
    /// <param name="membership">The membership's datagram counters; none when it runs from files.</param>
    /// <param name="meterFactory">Where the meter comes from (a test scopes its own); a plain meter when null.</param>
    /// <param name="evaluationFailures">How many evaluations threw and kept the last table.</param>
    /// <param name="egress">The last evaluation's egress; none when it runs from files.</param>
    /// <param name="egressCounters">Translated packets and bytes per Service and family on this node, since start.</param>
    /// <param name="conflicts">Addresses held here that have had a conflict on the LAN: 1 while it lasts, 0 after.</param>
    /// <param name="bgpSessions">This node's BGP sessions, for MetalLB's metallb_bgp_* series; none without BGP.</param>
    public SpeakerMetrics(string node, Func<SpeakerPlan?> current, WriteCounter? writes = null, MembershipCounters? membership = null, IMeterFactory? meterFactory = null, Func<long>? evaluationFailures = null, Func<EgressBuild>? egress = null, Func<IReadOnlyList<EgressCounter>>? egressCounters = null, Func<IReadOnlyList<ConflictGauge>>? conflicts = null, Func<ImmutableArray<(string Peer, BgpPeerSnapshot Snapshot)>>? bgpSessions = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        if (conflicts is not null)
        {
            _meter.CreateObservableGauge(
                "ironlb_address_conflicts",
                () => conflicts().Select(c => new Measurement<long>(
                    c.Active ? 1 : 0,
                    new KeyValuePair<string, object?>("ip", c.Address.ToString()),
                    new KeyValuePair<string, object?>("interface", c.Interface))),
                description: "1 while another host on the LAN answers for or claims an address this node is elected to announce; 0 once it stopped.");
        }

        if (egressCounters is not null)
        {
            CreateEgressCounters(egressCounters);
        }

        if (egress is not null)
        {
            _meter.CreateObservableGauge(
                "ironlb_egress_services",
                () => egress().Services.Count(s => s.Paths.Any(p => p.Node is not null)),
                description: "LoadBalancer Services labelled for egress from their address that leave through some node, as this node sees them.");
        }

        if (evaluationFailures is not null)
        {
            _meter.CreateObservableCounter("ironlb_speaker_evaluation_failures_total", evaluationFailures, description: "Evaluations that failed with an exception; the last announce table was kept.");
        }

        if (membership is not null)
        {
            _meter.CreateObservableCounter("ironlb_membership_accepted_total", () => membership.Accepted, description: "Membership datagrams accepted.");
            _meter.CreateObservableCounter("ironlb_membership_refused_total", membership.Refused, description: "Membership datagrams refused, by reason (UnknownSource, RateLimited and Oversized before any decoding).");
            _meter.CreateObservableCounter("ironlb_membership_stalls_total", () => membership.Stalls, description: "Times the ring's loop did not run for longer than its fence window (a starved or paused process); 0 with the mesh.");
            _meter.CreateObservableCounter("ironlb_membership_new_incarnations_total", membership.NewIncarnations, description: "Times the ring moved to a new incarnation, which answers only once it has joined, by cause (FenceLapsed, EndedByOthers); 0 with the mesh.");
        }

        if (writes is not null)
        {
            // The same names as the controller's: MetalLB's speaker exports its k8s client's counters too.
            _meter.CreateObservableCounter("metallb_k8s_client_updates_total", () => writes.Writes, description: "Number of k8s object updates that have been processed.");
            _meter.CreateObservableCounter("metallb_k8s_client_update_errors_total", () => writes.Failures, description: "Number of k8s object updates that failed for some reason.");
        }

        _meter.CreateObservableGauge(
            "metallb_speaker_announced",
            () => Announced(current(), node),
            description: "The node announces the service IP");
        if (bgpSessions is not null)
        {
            BgpMetrics.Register(_meter, bgpSessions);
        }
    }

    private static IEnumerable<Measurement<long>> Announced(SpeakerPlan? plan, string node)
    {
        var layer2 = (plan?.Services ?? []).Where(s => s.Announces).SelectMany(s => s.Ips.Select(ip => (s.Service, Protocol: "layer2", Ip: ip)));
        var bgp = (plan?.Bgp.Services ?? []).Where(s => s.Announces).SelectMany(s => s.Ips.Select(ip => (s.Service, Protocol: "bgp", Ip: ip)));
        return layer2.Concat(bgp).Select(a => new Measurement<long>(
            1,
            new KeyValuePair<string, object?>("service", a.Service.ToString()),
            new KeyValuePair<string, object?>("protocol", a.Protocol),
            new KeyValuePair<string, object?>("node", node),
            new KeyValuePair<string, object?>("ip", a.Ip)));
    }

    // Packets and bytes from the same read of the nftables counters would be two reads per scrape; the counters
    // are cheap (one libnftables call), and a scrape that sees packets and bytes a moment apart is harmless.
    private void CreateEgressCounters(Func<IReadOnlyList<EgressCounter>> counters)
    {
        _meter.CreateObservableCounter(
            "ironlb_egress_translated_packets_total",
            () => counters().Select(c => new Measurement<long>((long)c.Packets, Tags(c))),
            description: "Packets of a Service's endpoints translated to its address on this node (the announcing node), per family.");
        _meter.CreateObservableCounter(
            "ironlb_egress_translated_bytes_total",
            () => counters().Select(c => new Measurement<long>((long)c.Bytes, Tags(c))),
            description: "Bytes of a Service's endpoints translated to its address on this node (the announcing node), per family.");

        static KeyValuePair<string, object?>[] Tags(EgressCounter c) =>
        [
            new("service", c.Service),
            new("family", c.Family == System.Net.Sockets.AddressFamily.InterNetwork ? "IPv4" : "IPv6"),
        ];
    }

    /// <summary>This instance's meter, so an exporter (or a test) can read exactly this speaker's series.</summary>
    public Meter Meter => _meter;

    public void Dispose() => _meter.Dispose();
}
