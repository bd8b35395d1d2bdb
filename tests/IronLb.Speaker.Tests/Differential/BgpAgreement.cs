using System.Collections.Immutable;
using System.Text;
using IronLb.Core.Allocation;
using IronLb.Core.Announcement;
using IronLb.Core.Planning;

namespace IronLb.Speaker.Tests.Differential;

/// <summary>
/// Plan and speakers on BGP: every node's decision and routes (peer, prefix, LOCAL_PREF, communities) that plan shows
/// for a Service must be what that node's speaker evaluation decided, and a speaker decision plan does not show is a
/// disagreement too.
/// </summary>
internal static class BgpAgreement
{
    /// <summary>Appends every disagreement to problems; returns how many node decisions were compared exactly.</summary>
    public static int Compare(PlanResult plan, ImmutableDictionary<ServiceKey, ImmutableDictionary<string, NodeBgpAnnouncement>> speakers, StringBuilder problems)
    {
        var compared = 0;
        var planned = new HashSet<(ServiceKey, string)>();
        foreach (var service in plan.Services)
        {
            var key = new ServiceKey(service.Namespace, service.Name);
            var reported = speakers.GetValueOrDefault(key, ImmutableDictionary<string, NodeBgpAnnouncement>.Empty);
            foreach (var node in service.Bgp?.Nodes ?? [])
            {
                planned.Add((key, node.Node));
                if (reported.TryGetValue(node.Node, out var speaker))
                {
                    compared++;
                    if (!speaker.Equals(node))
                    {
                        problems.Append($"{key}: plan on {node.Node} BGP {Describe(node)}, speaker {Describe(speaker)}\n");
                    }
                }
                else if (node.Decision == BgpAnnounceDecision.Announce || !node.Routes.IsEmpty)
                {
                    // A speaker leaves out Services of pools without BGPAdvertisements and has no BGP plan without BGPPeers;
                    // plan shows those nodes' reasons (NotOwner, NoPeers), which send nothing either. Only a route is news.
                    problems.Append($"{key}: plan on {node.Node} BGP {Describe(node)}, speaker none\n");
                }
            }
        }

        foreach (var (key, nodes) in speakers)
        {
            foreach (var (node, speaker) in nodes.Where(n => !planned.Contains((key, n.Key))))
            {
                problems.Append($"{key}: plan on {node} BGP none, speaker {Describe(speaker)}\n");
            }
        }

        return compared;
    }

    private static string Describe(NodeBgpAnnouncement announcement) =>
        $"{announcement.Decision} [{string.Join("; ", announcement.Routes)}]";
}
