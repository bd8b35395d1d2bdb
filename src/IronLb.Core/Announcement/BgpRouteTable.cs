using System.Collections.Immutable;
using IronLb.Core.Addressing;
using IronLb.Core.Configuration;

namespace IronLb.Core.Announcement;

/// <summary>
/// One node's routes over all its Services: what its sessions should carry. Services that map to the same
/// prefix on the same peer (an aggregate, or a shared address) give one route, sent while any of them
/// announces. Communities are unioned, as MetalLB v0.16's native speaker does; where LOCAL_PREF differs
/// (only possible through advertisements with serviceSelectors, which validation cannot compare) the
/// highest wins, so the answer never depends on the order Services arrive in, unlike MetalLB's first-seen.
/// </summary>
public static class BgpRouteTable
{
    public static ImmutableArray<BgpRoute> Merge(IEnumerable<NodeBgpAnnouncement> announcements)
    {
        ArgumentNullException.ThrowIfNull(announcements);
        var merged = new Dictionary<(string Peer, Cidr Prefix), (uint? LocalPref, SortedSet<BgpCommunity> Communities)>();
        foreach (var announcement in announcements)
        {
            if (announcement.Decision != BgpAnnounceDecision.Announce)
            {
                continue;
            }

            foreach (var route in announcement.Routes)
            {
                var key = (route.Peer, route.Prefix);
                if (!merged.TryGetValue(key, out var existing))
                {
                    existing = (route.LocalPref, []);
                }

                existing.Communities.UnionWith(route.Communities);
                existing.Communities.UnionWith(route.LargeCommunities);
                merged[key] = (Max(existing.LocalPref, route.LocalPref), existing.Communities);
            }
        }

        return
        [
            .. merged
                .OrderBy(r => r.Key.Peer, StringComparer.Ordinal)
                .ThenBy(r => r.Key.Prefix.First)
                .ThenBy(r => r.Key.Prefix.PrefixLength)
                .Select(r => new BgpRoute(
                    r.Key.Peer,
                    r.Key.Prefix,
                    r.Value.LocalPref,
                    [.. r.Value.Communities.Where(c => !c.IsLarge)],
                    [.. r.Value.Communities.Where(c => c.IsLarge)])),
        ];
    }

    private static uint? Max(uint? a, uint? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);
}
