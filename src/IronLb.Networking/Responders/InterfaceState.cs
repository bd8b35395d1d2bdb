using IronLb.Networking.Interfaces;
using IronLb.Networking.Packets;
using IronLb.Networking.Sockets;
using Microsoft.Extensions.Logging;

namespace IronLb.Networking.Responders;

/// <summary>Everything the announcer runs on one interface: up to two responder loops and the NDP group memberships.</summary>
internal sealed class InterfaceState
{
    private readonly HashSet<UInt128> _joined = [];
    private readonly IMulticastGroups? _groups;

    private InterfaceState(InterfaceInfo info, ResponderLoop? arp, ResponderLoop? ndp, IMulticastGroups? groups)
    {
        Info = info;
        Arp = arp;
        Ndp = ndp;
        _groups = groups;
    }

    public InterfaceInfo Info { get; }

    public ResponderLoop? Arp { get; }

    public ResponderLoop? Ndp { get; }

    public bool HasArp => Arp is not null;

    public bool HasNdp => Ndp is not null;

    public bool Faulted => (Arp?.Faulted ?? false) || (Ndp?.Faulted ?? false);

    public IEnumerable<ResponderLoop> Loops => new[] { Arp, Ndp }.OfType<ResponderLoop>();

    /// <summary>Solicited-node groups joined here (tests and diagnostics).</summary>
    public IReadOnlyCollection<UInt128> JoinedGroups => _joined;

    /// <summary>Opens what the interface is eligible for; a failure on one protocol leaves the other running (§4.6).</summary>
    public static InterfaceState Open(InterfaceInfo info, InterfaceEligibility eligibility, ILinkLayerPlatform platform, ResponderPlacement placement, AnnounceTableHolder tables, Layer2Metrics metrics, DropCounters drops, ILogger logger)
    {
        var arp = eligibility.Arp ? TryStart(info, ResponderKind.Arp, platform, placement, tables, metrics, drops, logger) : null;
        ResponderLoop? ndp = null;
        IMulticastGroups? groups = null;
        if (eligibility.Ndp)
        {
            try
            {
                groups = platform.OpenGroups(info.Index);
                ndp = TryStart(info, ResponderKind.Ndp, platform, placement, tables, metrics, drops, logger);
                if (ndp is null)
                {
                    groups.Dispose();
                    groups = null;
                }
            }
            catch (System.Net.Sockets.SocketException e)
            {
                Log.ResponderFailed(logger, e, info.Name, ResponderKind.Ndp);
                groups?.Dispose();
                groups = null;
            }
        }

        return new InterfaceState(info, arp, ndp, groups);
    }

    /// <summary>Joins the groups of IPv6 addresses announced here and leaves the rest; set semantics do the reference counting.</summary>
    public void SyncGroups(AnnounceTable table, ILogger logger)
    {
        if (_groups is null)
        {
            return;
        }

        var desired = table.Entries
            .Where(e => e.IsIpv6 && e.Interfaces.Includes(Info.Name))
            .GroupBy(e => Ipv6Header.SolicitedNode(e.V6))
            .ToDictionary(g => g.Key, g => g.First().Label);
        foreach (var (group, label) in desired)
        {
            if (_joined.Contains(group))
            {
                continue;
            }

            try
            {
                _groups.Join(group);
                _joined.Add(group);
            }
            catch (System.Net.Sockets.SocketException e)
            {
                Log.GroupFailed(logger, e, label, Info.Name);
            }
        }

        foreach (var group in _joined.Where(g => !desired.ContainsKey(g)).ToList())
        {
            try
            {
                _groups.Leave(group);
            }
            catch (System.Net.Sockets.SocketException e)
            {
                Log.GroupFailed(logger, e, "(leave)", Info.Name);
            }

            _joined.Remove(group);
        }
    }

    public void Dispose(ILogger logger)
    {
        RequestStop();
        foreach (var loop in Loops)
        {
            loop.Dispose();
            Log.ResponderStopped(logger, Info.Name, loop.Kind);
        }

        _groups?.Dispose();
        _joined.Clear();
    }

    /// <summary>Signals both loops to stop without waiting (see <see cref="ResponderLoop.RequestStop"/>).</summary>
    public void RequestStop()
    {
        foreach (var loop in Loops)
        {
            loop.RequestStop();
        }
    }

    private static ResponderLoop? TryStart(InterfaceInfo info, ResponderKind kind, ILinkLayerPlatform platform, ResponderPlacement placement, AnnounceTableHolder tables, Layer2Metrics metrics, DropCounters drops, ILogger logger)
    {
        try
        {
            var transports = kind == ResponderKind.Arp ? platform.OpenArp(info.Index, placement.LaneCpus) : platform.OpenNdp(info.Index, placement.LaneCpus);
            var loop = new ResponderLoop(info, kind, transports, placement, tables, metrics, drops, logger);
            loop.Start();
            Log.ResponderStarted(logger, info.Name, kind);
            return loop;
        }
        catch (System.Net.Sockets.SocketException e)
        {
            Log.ResponderFailed(logger, e, info.Name, kind);
            return null;
        }
    }
}
