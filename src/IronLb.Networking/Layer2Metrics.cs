using System.Diagnostics.Metrics;

namespace IronLb.Networking;

/// <summary>
/// MetalLB's Layer 2 counters (§5.4) under their exact names, label <c>ip</c>. The label string lives on
/// the table entry, so adding to a counter on the packet path allocates nothing.
/// </summary>
internal sealed class Layer2Metrics : IDisposable
{
    public const string MeterName = "IronLb.Networking";

    private readonly Meter _meter;

    public Layer2Metrics(IMeterFactory? meterFactory, Func<IEnumerable<Measurement<long>>>? responders = null, Func<IEnumerable<Measurement<long>>>? deadlinePassed = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        RequestsReceived = _meter.CreateCounter<long>("metallb_layer2_requests_received", description: "Number of layer2 requests received for owned IPs");
        ResponsesSent = _meter.CreateCounter<long>("metallb_layer2_responses_sent", description: "Number of layer2 responses sent for owned IPs");
        GratuitousSent = _meter.CreateCounter<long>("metallb_layer2_gratuitous_sent", description: "Number of gratuitous layer2 packets sent for owned IPs");
        if (responders is not null)
        {
            // IronLB's own (MetalLB has no equivalent): which path answers where, so a node that fell back to
            // userspace (no CAP_BPF, a seccomp profile, an old kernel) shows on a dashboard.
            _meter.CreateObservableGauge("ironlb_layer2_responder", responders, description: "1 for every running responder, by interface, protocol and path (kernel or userspace)");
        }

        if (deadlinePassed is not null)
        {
            // A frozen or hung speaker's replies stop at the answer deadline; this shows it happened, and where.
            // A request handed on by the kernel reaches the userspace responder too, so the two paths overlap.
            _meter.CreateObservableCounter("ironlb_layer2_deadline_passed", deadlinePassed, description: "Requests for announced addresses not answered because the answer deadline had passed, by path (kernel or userspace)");
        }
    }

    public Counter<long> RequestsReceived { get; }

    public Counter<long> ResponsesSent { get; }

    public Counter<long> GratuitousSent { get; }

    public static KeyValuePair<string, object?> Ip(string label) => new("ip", label);

    public void Dispose() => _meter.Dispose();
}
