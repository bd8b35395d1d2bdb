using System.Net;
using Microsoft.Extensions.Logging;

namespace IronLb.Speaker.Membership;

/// <summary>
/// Membership v1 (all-to-all heartbeats, docs/membership.md "The mesh protocol") behind <see cref="ISpeakerMembership"/>:
/// kept as `--membership-protocol mesh` for clusters that still run it during an upgrade and as the scale baseline.
/// Its self-drop rule is already in the view, so it answers whenever it is in its own live set.
/// </summary>
internal sealed class MeshMembership : ISpeakerMembership
{
    private readonly MembershipProtocol _protocol;
    private readonly MembershipLoop _loop;

    public MeshMembership(string self, MembershipOptions options, MembershipKey key, UdpMembershipTransport transport, TimeProvider time, ILogger logger, MembershipCounters counters)
    {
        _protocol = new MembershipProtocol(self, options, key, time) { Eligible = false };
        _protocol.ViewChanged += (_, _) => Changed?.Invoke(this, EventArgs.Empty);
        _loop = new MembershipLoop(_protocol, transport, options, time, logger, counters)
        {
            Ticked = () => Ticked?.Invoke(null),
            Leaving = () => Leaving?.Invoke(),
        };
    }

    public event EventHandler? Changed;

    public string Protocol => "mesh";

    public MembershipView View => _protocol.View;

    public bool Answering => _protocol.View.Live.Contains(_protocol.Self);

    public bool Withdrawn => !Answering;

    public bool Eligible
    {
        get => _protocol.Eligible;
        set => _protocol.Eligible = value;
    }

    public Action<TimeSpan?>? Ticked { get; set; }

    public Action? Leaving { get; set; }

    /// <summary>Not read: the mesh falls back to Node readiness, not to the Leases.</summary>
    public Func<ApiMode.LeaseEvidence>? LeaseEvidence { get; set; }

    public void SetPeers(IReadOnlyDictionary<string, IPEndPoint> peers) => _loop.SetPeers(peers);

    public void SetReadyNodes(IEnumerable<string>? ready) => _loop.SetReadyNodes(ready);

    public Task RunAsync(CancellationToken cancellationToken) => _loop.RunAsync(cancellationToken);
}
