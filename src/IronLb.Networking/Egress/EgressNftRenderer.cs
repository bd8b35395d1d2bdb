using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using static IronLb.Networking.Egress.NftJson;

namespace IronLb.Networking.Egress;

/// <summary>
/// Writes a rule set as one libnftables JSON batch that replaces the table <c>inet ironlb</c> whole: add the
/// table (so the delete cannot fail on a fresh node), delete it, then add it again with its sets, maps,
/// counters, chains and rules. The kernel applies a batch as one transaction, so a packet sees the old table
/// or the new one, never a mix, and nothing outside the table is touched. Pure and deterministic.
/// </summary>
/// <remarks>
/// Per family, the entries become map elements keyed by the pod's address, not one rule per Service: a packet
/// costs one hash lookup however many Services there are, and a replacement with 1,000 Services loads
/// a few thousand elements instead of thousands of rules with anonymous sets (which measured 0.8 s).
/// Translate: postrouting, <c>ip daddr != @excluded4 counter name ip saddr map @counter4 snat ip to ip saddr
/// map @snat4</c>. Steer: prerouting, <c>ip saddr vmap @steer4</c> jumps to the next hop's chain, which marks
/// <c>meta mark set (meta mark &amp; ~mask) | value</c> unless the destination is excluded. A source in two
/// Services of one role and family keeps the first (Services are ordered by name).
/// </remarks>
public static class EgressNftRenderer
{
    public const string Table = "ironlb";
    public const string PostroutingChain = "postrouting";
    public const string PreroutingChain = "prerouting";

    /// <summary>nftables' srcnat priority (where CNIs' MASQUERADE runs) less ten: for a new connection the first
    /// NAT binding made is the one kept, so translating before a CNI's MASQUERADE means ours wins without
    /// touching the CNI's rules.</summary>
    public const int NatPriority = 100 - 10;

    /// <summary>nftables' mangle priority: mark before the routing decision, after conntrack.</summary>
    public const int MarkPriority = -150;

    private static readonly AddressFamily[] Families = [AddressFamily.InterNetwork, AddressFamily.InterNetworkV6];

    /// <summary>The named counter of one Service's translated traffic in one family: "namespace/name@ipv4".</summary>
    public static string CounterName(string service, AddressFamily family) =>
        $"{service}@{(family == AddressFamily.InterNetwork ? "ipv4" : "ipv6")}";

    /// <summary>The regular chain that marks packets for next hop <paramref name="index"/> of a family.</summary>
    public static string HopChain(AddressFamily family, int index) => $"hop{Suffix(family)}-{index}";

    public static string Render(EgressRuleSet set, EgressKernelOptions options)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(options);
        var buffer = new ArrayBufferWriter<byte>();
        // The relaxed encoder writes "&" as itself (nftables' bitwise operator), not as \u0026; the text goes to
        // libnftables, never into HTML.
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteStartArray("nftables");
            Command(w, "add", "table", () => { });
            Command(w, "delete", "table", () => { });
            if (!set.IsEmpty)
            {
                WriteTable(w, set, options);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Removes the table if it is there (adding first makes the delete succeed on a fresh node).</summary>
    public static string RenderRemoval() => Render(EgressRuleSet.Empty, EgressKernelOptions.Default);

    /// <summary>Lists the table's named counters (the answer <see cref="EgressCounterParser"/> reads).</summary>
    public static string RenderListCounters() =>
        """{"nftables":[{"list":{"counters":{"family":"inet","table":""" + "\"" + Table + "\"}}}]}";

    private static void WriteTable(Utf8JsonWriter w, EgressRuleSet set, EgressKernelOptions options)
    {
        Command(w, "add", "table", () => { });
        foreach (var family in Families)
        {
            var excluded = ExcludedIntervals(set, family);
            Command(w, "add", "set", () => SetBody(w, $"excluded{Suffix(family)}", family, null, interval: true, excluded.Count, i => Prefix(w, excluded[i])));
        }

        var translated = set.Entries.Where(e => e.Role == EgressRole.Translate).ToList();
        foreach (var counter in new SortedSet<string>(translated.Select(e => CounterName(e.Service, e.Family)), StringComparer.Ordinal))
        {
            Command(w, "add", "counter", () => w.WriteString("name", counter));
        }

        // The next hops' chains come before the maps whose verdicts jump to them.
        var plan = EgressRouting.Plan(set, options);
        var hopChains = new Dictionary<(AddressFamily, IPAddress), string>();
        foreach (var route in plan)
        {
            var chain = HopChain(route.Family, plan.Where(r => r.Family == route.Family).ToList().IndexOf(route));
            hopChains[(route.Family, route.NextHop)] = chain;
            Command(w, "add", "chain", () => ChainBody(w, chain));
            Command(w, "add", "rule", () => RuleBody(w, chain, () =>
            {
                NotExcluded(w, route.Family);
                SetMark(w, route.Mark, options.FwmarkMask);
            }));
        }

        var anyTranslated = false;
        var anySteered = false;
        foreach (var family in Families)
        {
            var snat = FirstClaims(translated.Where(e => e.Family == family));
            Command(w, "add", "map", () => SetBody(w, $"snat{Suffix(family)}", family, AddressType(family), false, snat.Count,
                i => Pair(w, snat[i].Source, () => w.WriteStringValue(snat[i].Entry.ServiceAddress.ToString()))));
            Command(w, "add", "map", () => SetBody(w, $"counter{Suffix(family)}", family, "counter", false, snat.Count,
                i => Pair(w, snat[i].Source, () => w.WriteStringValue(CounterName(snat[i].Entry.Service, family)))));
            var steer = FirstClaims(set.Entries.Where(e => e.Role == EgressRole.Steer && e.Family == family && e.NextHop is not null && hopChains.ContainsKey((family, e.NextHop))));
            Command(w, "add", "map", () => SetBody(w, $"steer{Suffix(family)}", family, "verdict", false, steer.Count,
                i => Pair(w, steer[i].Source, () => Jump(w, hopChains[(family, steer[i].Entry.NextHop!)]))));
            anyTranslated |= snat.Count > 0;
            anySteered |= steer.Count > 0;
        }

        if (anyTranslated)
        {
            Command(w, "add", "chain", () => ChainBody(w, PostroutingChain, "nat", "postrouting", NatPriority));
            foreach (var family in Families.Where(f => translated.Any(e => e.Family == f && e.Sources.Length > 0)))
            {
                Command(w, "add", "rule", () => RuleBody(w, PostroutingChain, () =>
                {
                    NotExcluded(w, family);
                    w.WriteStartObject();
                    w.WritePropertyName("counter");
                    SourceLookup(w, family, $"counter{Suffix(family)}");
                    w.WriteEndObject();
                    w.WriteStartObject();
                    w.WriteStartObject("snat");
                    w.WriteString("family", Protocol(family));
                    w.WritePropertyName("addr");
                    SourceLookup(w, family, $"snat{Suffix(family)}");
                    w.WriteEndObject();
                    w.WriteEndObject();
                }));
            }
        }

        if (anySteered)
        {
            Command(w, "add", "chain", () => ChainBody(w, PreroutingChain, "filter", "prerouting", MarkPriority));
            foreach (var family in Families.Where(f => plan.Any(r => r.Family == f)))
            {
                Command(w, "add", "rule", () => RuleBody(w, PreroutingChain, () => SourceVerdictMap(w, family, $"steer{Suffix(family)}")));
            }
        }
    }

    /// <summary>Each source once, for the first entry that names it, in address order (the kernel refuses a key
    /// twice in one map).</summary>
    private static List<(IPAddress Source, EgressEntry Entry)> FirstClaims(IEnumerable<EgressEntry> entries)
    {
        var claims = new SortedDictionary<IPAddress, EgressEntry>(AddressComparer.Instance);
        foreach (var entry in entries)
        {
            foreach (var source in entry.Sources)
            {
                _ = claims.TryAdd(source, entry);
            }
        }

        return claims.Select(c => (c.Key, c.Value)).ToList();
    }

    /// <summary>The family's excluded networks without any that another contains: CIDR blocks either nest or are
    /// disjoint, and the kernel refuses overlapping intervals in one set.</summary>
    private static List<IPNetwork> ExcludedIntervals(EgressRuleSet set, AddressFamily family)
    {
        var sorted = set.Excluded.Where(n => n.BaseAddress.AddressFamily == family)
            .OrderBy(n => n.BaseAddress, AddressComparer.Instance).ThenBy(n => n.PrefixLength).ToList();
        var kept = new List<IPNetwork>();
        foreach (var network in sorted)
        {
            if (kept.Count == 0 || !kept[^1].Contains(network.BaseAddress))
            {
                kept.Add(network);
            }
        }

        return kept;
    }
}
