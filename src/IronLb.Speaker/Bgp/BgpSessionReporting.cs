using System.Collections.Immutable;
using System.Globalization;
using IronLb.Bgp.Peering;
using IronLb.Bgp.Session;
using IronLb.Kubernetes.Status;

namespace IronLb.Speaker.Bgp;

/// <summary>
/// This node's sessions as the speaker reports them on its ConfigurationState for `ironlb status`: up or not, since
/// when, prefixes sent against wanted, and why a session is down. Only what a person needs goes in, and nothing that
/// changes while nothing changes for them (keepalive counts, each retry's state), so a session retrying against a dead
/// router, or idling along, costs no API write. Not thread-safe: one caller at a time.
/// </summary>
internal sealed class BgpSessionReporting
{
    // Per peer: whether it was up when last seen, and since when it has been so.
    private readonly Dictionary<string, (bool Up, DateTimeOffset Since)> _seen = new(StringComparer.Ordinal);

    /// <summary>The reports for these snapshots, in peer order; peers not among them are forgotten.</summary>
    public ImmutableArray<BgpSessionReport> Report(ImmutableArray<(string Peer, BgpPeerSnapshot Snapshot)> sessions)
    {
        foreach (var gone in _seen.Keys.Where(peer => !sessions.Any(s => s.Peer == peer)).ToList())
        {
            _seen.Remove(gone);
        }

        var reports = ImmutableArray.CreateBuilder<BgpSessionReport>(sessions.Length);
        foreach (var (peer, snapshot) in sessions.OrderBy(s => s.Peer, StringComparer.Ordinal))
        {
            var up = snapshot.SessionUp;
            if (!_seen.TryGetValue(peer, out var seen) || seen.Up != up)
            {
                // A flip from down to up (or back) dates from that snapshot's state change; the retries in between do not.
                seen = (up, snapshot.StateSince);
                _seen[peer] = seen;
            }

            reports.Add(new BgpSessionReport(
                peer,
                snapshot.Peer.ToString(),
                up ? BgpSessionReports.Established : BgpSessionReports.Connecting,
                seen.Since,
                up ? snapshot.AdvertisedPrefixes : 0,
                snapshot.DesiredRoutes,
                up ? null : WhyDown(snapshot)));
        }

        return reports.MoveToImmutable();
    }

    /// <summary>The most specific reason there is: the dial's error, then a NOTIFICATION, then how the last connection ended.</summary>
    internal static string? WhyDown(BgpPeerSnapshot snapshot) =>
        snapshot.LastError
        ?? (snapshot.LastNotification is { } notification ? "NOTIFICATION " + NotificationText.Describe(notification) : null)
        ?? (snapshot.LastCloseReason == BgpCloseReason.None ? null : string.Create(CultureInfo.InvariantCulture, $"last connection: {snapshot.LastCloseReason}"));
}
