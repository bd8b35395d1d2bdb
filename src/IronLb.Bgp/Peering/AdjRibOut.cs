using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using IronLb.Bgp.Session;
using IronLb.Bgp.Wire;

namespace IronLb.Bgp.Peering;

/// <summary>The UPDATEs that take a peer from what it has to what we want, and the table once they are sent.</summary>
public sealed record RibChange(AdjRibOut Rib, ImmutableArray<UpdateMessage> Updates);

/// <summary>
/// What one session's peer has from us (RFC 4271's Adj-RIB-Out), immutable: <see cref="Diff"/> compares it with
/// the desired routes and returns the UPDATEs and the next table. Pure, so every branch is a table row.
/// <para>
/// Routes with the same wire attributes share one <see cref="RouteTemplate"/>, so <see cref="UpdatePacker"/> fills
/// each UPDATE (1,000 /32s cost two messages, where MetalLB's native speaker sends 1,000). The attributes follow
/// MetalLB's native speaker (metallb-bgp.md §4): ORIGIN IGP; AS_PATH empty for iBGP, our ASN for eBGP; NEXT_HOP
/// (IPv4) or MP_REACH's next hops (IPv6); LOCAL_PREF to iBGP peers only and always there, 100 when the
/// advertisement sets none (RFC 4271 §5.1.5 wants it in every iBGP UPDATE; see <see cref="UnsetLocalPref"/>);
/// COMMUNITIES and LARGE_COMMUNITY when not empty; never MED.
/// </para>
/// <para>
/// A prefix listed twice keeps its first route (MetalLB v0.14 picked one at random). A route whose family is not
/// negotiated or has no next hop is not sent and is counted in <see cref="UnsendableRoutes"/>.
/// </para>
/// </summary>
public sealed class AdjRibOut
{
    /// <summary>
    /// RFC 4271 §5.1.5: the UPDATEs to an iBGP peer carry LOCAL_PREF. Unset, we send 100, what the router assumes when
    /// MetalLB's FRR mode (v0.16's default) leaves it out; MetalLB's native speaker sent 0, which made its paths lose
    /// to every other iBGP path (docs/differences.md).
    /// </summary>
    public const uint UnsetLocalPref = 100;

    private static readonly RouteTemplate NoAttributes = new([]);

    private AdjRibOut(ImmutableSortedDictionary<IPNetwork, OutboundRoute> sent, int unsendable)
    {
        Sent = sent;
        UnsendableRoutes = unsendable;
    }

    /// <summary>A fresh session's table: the peer has nothing from us.</summary>
    public static AdjRibOut Empty { get; } = new(ImmutableSortedDictionary.Create<IPNetwork, OutboundRoute>(PrefixOrder.Instance), 0);

    /// <summary>The routes the peer has from us, by prefix (IPv4 first, then by address and length).</summary>
    public ImmutableSortedDictionary<IPNetwork, OutboundRoute> Sent { get; }

    /// <summary>Desired routes the last diff could not send (family not negotiated, or no next hop for it).</summary>
    public int UnsendableRoutes { get; }

    /// <summary>Prefixes of one address family the peer has from us (<c>metallb_bgp_announced_prefixes_total</c>).</summary>
    public int Count(AddressFamily family) => Sent.Keys.Count(p => p.BaseAddress.AddressFamily == family);

    /// <summary>Withdraw what is no longer desired, announce what is new or whose attributes changed; withdrawals first.</summary>
    public RibChange Diff(IEnumerable<OutboundRoute> desired, OutboundContext context)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(context);

        var wanted = ImmutableSortedDictionary.CreateBuilder<IPNetwork, OutboundRoute>(PrefixOrder.Instance);
        var order = new List<OutboundRoute>();
        var unsendable = 0;
        foreach (var route in desired)
        {
            if (wanted.ContainsKey(route.Prefix))
            {
                continue;
            }

            if (!context.CanSend(route.Prefix))
            {
                unsendable++;
                continue;
            }

            wanted.Add(route.Prefix, route);
            order.Add(route);
        }

        var withdraw = Sent.Keys.Where(p => !wanted.ContainsKey(p)).ToList();
        var announce = order.Where(r => !Sent.TryGetValue(r.Prefix, out var old) || Key(old, context) != Key(r, context));
        var updates = Pack(announce, withdraw, context);
        return new RibChange(new AdjRibOut(wanted.ToImmutable(), unsendable), updates);
    }

    /// <summary>
    /// Everything for a fresh session, then End-of-RIB for each negotiated family (RFC 4724 §2: sent even without
    /// graceful restart, since FRR and BIRD use it to end their initial best-path wait).
    /// </summary>
    public static RibChange Full(IEnumerable<OutboundRoute> desired, OutboundContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var change = Empty.Diff(desired, context);
        var endOfRib = context.Session.Families.Select(f => UpdateMessage.EndOfRib(f.Afi, f.Safi));
        return change with { Updates = [.. change.Updates, .. endOfRib] };
    }

    /// <summary>The peer asked for a family again (RFC 2918): every route of that family we hold as sent.</summary>
    public ImmutableArray<UpdateMessage> Refresh(BgpFamily family, OutboundContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var wantedFamily = family.Afi == Afi.Ipv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        if (family.Safi != Safi.Unicast || family.Afi is not (Afi.Ipv4 or Afi.Ipv6))
        {
            return [];
        }

        return Pack(Sent.Values.Where(r => r.Prefix.BaseAddress.AddressFamily == wantedFamily), [], context);
    }

    /// <summary>One packer run per distinct attribute set, in order of first appearance; the withdrawals ride with the first.</summary>
    private static ImmutableArray<UpdateMessage> Pack(IEnumerable<OutboundRoute> announce, List<IPNetwork> withdraw, OutboundContext context)
    {
        var groups = new Dictionary<AttributeKey, List<IPNetwork>>();
        var keys = new List<AttributeKey>();
        foreach (var route in announce)
        {
            var key = Key(route, context);
            if (!groups.TryGetValue(key, out var prefixes))
            {
                groups.Add(key, prefixes = []);
                keys.Add(key);
            }

            prefixes.Add(route.Prefix);
        }

        var fourOctetAs = context.Session.FourOctetAs;
        var updates = ImmutableArray.CreateBuilder<UpdateMessage>();
        if (keys.Count == 0)
        {
            updates.AddRange(UpdatePacker.Pack([], withdraw, NoAttributes, fourOctetAs));
        }

        for (var i = 0; i < keys.Count; i++)
        {
            updates.AddRange(UpdatePacker.Pack(groups[keys[i]], i == 0 ? withdraw : [], Template(keys[i], context), fourOctetAs));
        }

        return updates.ToImmutable();
    }

    private static RouteTemplate Template(AttributeKey key, OutboundContext context)
    {
        var attributes = new List<PathAttribute>
        {
            new OriginAttribute(Origin.Igp),
            context.IsInternal ? new AsPathAttribute([]) : AsPathAttribute.Originated(context.LocalAsn),
        };
        if (context.NextHopV4 is { } nextHop)
        {
            // The packer drops NEXT_HOP from IPv6 UPDATEs, so a template serves both families.
            attributes.Add(new NextHopAttribute(nextHop));
        }

        if (key.LocalPref is { } localPref)
        {
            attributes.Add(new LocalPrefAttribute(localPref));
        }

        if (!key.Communities.IsEmpty)
        {
            attributes.Add(new CommunitiesAttribute(key.Communities));
        }

        if (!key.LargeCommunities.IsEmpty)
        {
            attributes.Add(new LargeCommunitiesAttribute(key.LargeCommunities));
        }

        return new RouteTemplate([.. attributes], context.NextHopV6, context.NextHopV6 is null ? null : context.NextHopV6LinkLocal);
    }

    /// <summary>What reaches the wire: LOCAL_PREF counts for iBGP only, so an eBGP route differing only there is not re-sent.</summary>
    private static AttributeKey Key(OutboundRoute route, OutboundContext context) =>
        new(context.IsInternal ? route.LocalPref ?? UnsetLocalPref : null, route.Communities, route.LargeCommunities);

    private readonly record struct AttributeKey(uint? LocalPref, EquatableArray<uint> Communities, EquatableArray<LargeCommunity> LargeCommunities);
}
