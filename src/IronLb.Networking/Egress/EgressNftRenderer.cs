using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace IronLb.Networking.Egress;

/// <summary>
/// Writes a rule set as one libnftables JSON batch that replaces the table <c>inet ironlb</c> whole: add the
/// table (so the delete cannot fail on a fresh node), delete it, then add it again with its sets, counters,
/// chains and rules. The kernel applies a batch as one transaction, so a packet sees the old table or the new
/// one, never a mix, and nothing outside the table is touched. Pure and deterministic: the same set and
/// options always give the same text.
/// </summary>
public static class EgressNftRenderer
{
    public const string Table = "ironlb";
    public const string PostroutingChain = "postrouting";
    public const string PreroutingChain = "prerouting";

    /// <summary>nftables' srcnat priority (what `masquerade` chains of CNIs use) less ten: for a new connection
    /// the first NAT binding made is the one kept, so translating before a CNI's MASQUERADE at srcnat means
    /// ours wins without touching the CNI's rules.</summary>
    public const int NatPriority = 100 - 10;

    /// <summary>nftables' mangle priority: mark before the routing decision, after conntrack.</summary>
    public const int MarkPriority = -150;

    /// <summary>The named counter of one Service's translated traffic in one family: "namespace/name@ipv4".</summary>
    public static string CounterName(string service, AddressFamily family) =>
        $"{service}@{(family == AddressFamily.InterNetwork ? "ipv4" : "ipv6")}";

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
        var v4 = AddressFamily.InterNetwork;
        var v6 = AddressFamily.InterNetworkV6;
        foreach (var family in (ReadOnlySpan<AddressFamily>)[v4, v6])
        {
            var excluded = ExcludedIntervals(set, family);
            Command(w, "add", "set", () => SetBody(w, $"excluded{Suffix(family)}", family, interval: true, excluded.Count, i => Prefix(w, excluded[i])));
        }

        var steered = set.Entries.Where(e => e.Role == EgressRole.Steer).ToList();
        var translated = set.Entries.Where(e => e.Role == EgressRole.Translate).ToList();
        foreach (var family in (ReadOnlySpan<AddressFamily>)[v4, v6])
        {
            // Every steered source of the family, so a packet from any other pod leaves the chain after one lookup.
            var sources = new SortedSet<IPAddress>(steered.Where(e => e.Family == family).SelectMany(e => e.Sources), AddressComparer.Instance).ToList();
            Command(w, "add", "set", () => SetBody(w, $"steer{Suffix(family)}", family, interval: false, sources.Count, i => w.WriteStringValue(sources[i].ToString())));
        }

        var counters = new SortedSet<string>(translated.Select(e => CounterName(e.Service, e.Family)), StringComparer.Ordinal);
        foreach (var counter in counters)
        {
            Command(w, "add", "counter", () => w.WriteString("name", counter));
        }

        if (translated.Count > 0)
        {
            Command(w, "add", "chain", () => ChainBody(w, PostroutingChain, "nat", "postrouting", NatPriority));
            foreach (var entry in translated.Where(e => e.Sources.Length > 0))
            {
                Command(w, "add", "rule", () => RuleBody(w, PostroutingChain, () =>
                {
                    SourceAndDestination(w, entry);
                    w.WriteStartObject();
                    w.WriteString("counter", CounterName(entry.Service, entry.Family));
                    w.WriteEndObject();
                    w.WriteStartObject();
                    w.WriteStartObject("snat");
                    w.WriteString("family", Protocol(entry.Family));
                    w.WriteString("addr", entry.ServiceAddress.ToString());
                    w.WriteEndObject();
                    w.WriteEndObject();
                }));
            }
        }

        if (steered.Count > 0)
        {
            var marks = EgressRouting.Plan(set, options).ToDictionary(r => (r.Family, r.NextHop), r => r.Mark);
            Command(w, "add", "chain", () => ChainBody(w, PreroutingChain, "filter", "prerouting", MarkPriority));
            foreach (var family in (ReadOnlySpan<AddressFamily>)[v4, v6])
            {
                var ofFamily = steered.Where(e => e.Family == family && e.Sources.Length > 0 && e.NextHop is not null).ToList();
                if (ofFamily.Count == 0)
                {
                    continue;
                }

                Command(w, "add", "rule", () => RuleBody(w, PreroutingChain, () =>
                {
                    Match(w, "!=", family, "saddr", () => w.WriteStringValue($"@steer{Suffix(family)}"));
                    w.WriteStartObject();
                    w.WriteNull("return");
                    w.WriteEndObject();
                }));
                foreach (var entry in ofFamily)
                {
                    if (!marks.TryGetValue((family, entry.NextHop!), out var mark))
                    {
                        continue; // beyond the mask's capacity: EgressRouting.Problems refuses such a set
                    }

                    Command(w, "add", "rule", () => RuleBody(w, PreroutingChain, () =>
                    {
                        SourceAndDestination(w, entry);
                        SetMark(w, mark, options.FwmarkMask);
                    }));
                }
            }
        }
    }

    /// <summary>saddr in the entry's sources, daddr not in the family's excluded set.</summary>
    private static void SourceAndDestination(Utf8JsonWriter w, EgressEntry entry)
    {
        Match(w, "==", entry.Family, "saddr", () =>
        {
            if (entry.Sources.Length == 1)
            {
                w.WriteStringValue(entry.Sources[0].ToString());
                return;
            }

            w.WriteStartObject();
            w.WriteStartArray("set");
            foreach (var source in entry.Sources)
            {
                w.WriteStringValue(source.ToString());
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
        Match(w, "!=", entry.Family, "daddr", () => w.WriteStringValue($"@excluded{Suffix(entry.Family)}"));
    }

    /// <summary>meta mark set (meta mark &amp; ~mask) | mark: only the mask's bits change.</summary>
    private static void SetMark(Utf8JsonWriter w, uint mark, uint mask)
    {
        w.WriteStartObject();
        w.WriteStartObject("mangle");
        w.WritePropertyName("key");
        MetaMark(w);
        w.WriteStartObject("value");
        w.WriteStartArray("|");
        w.WriteStartObject();
        w.WriteStartArray("&");
        MetaMark(w);
        w.WriteNumberValue(~mask);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteNumberValue(mark);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void MetaMark(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteStartObject("meta");
        w.WriteString("key", "mark");
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void Match(Utf8JsonWriter w, string op, AddressFamily family, string field, Action right)
    {
        w.WriteStartObject();
        w.WriteStartObject("match");
        w.WriteString("op", op);
        w.WriteStartObject("left");
        w.WriteStartObject("payload");
        w.WriteString("protocol", Protocol(family));
        w.WriteString("field", field);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WritePropertyName("right");
        right();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>{"verb": {"kind": {"family": "inet", "table"/"name": ..., body}}}.</summary>
    private static void Command(Utf8JsonWriter w, string verb, string kind, Action body)
    {
        w.WriteStartObject();
        w.WriteStartObject(verb);
        w.WriteStartObject(kind);
        w.WriteString("family", "inet");
        w.WriteString(kind == "table" ? "name" : "table", Table);
        body();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void SetBody(Utf8JsonWriter w, string name, AddressFamily family, bool interval, int count, Action<int> element)
    {
        w.WriteString("name", name);
        w.WriteString("type", family == AddressFamily.InterNetwork ? "ipv4_addr" : "ipv6_addr");
        if (interval)
        {
            w.WriteStartArray("flags");
            w.WriteStringValue("interval");
            w.WriteEndArray();
        }

        if (count > 0)
        {
            w.WriteStartArray("elem");
            for (var i = 0; i < count; i++)
            {
                element(i);
            }

            w.WriteEndArray();
        }
    }

    private static void ChainBody(Utf8JsonWriter w, string name, string type, string hook, int priority)
    {
        w.WriteString("name", name);
        w.WriteString("type", type);
        w.WriteString("hook", hook);
        w.WriteNumber("prio", priority);
        w.WriteString("policy", "accept");
    }

    private static void RuleBody(Utf8JsonWriter w, string chain, Action expressions)
    {
        w.WriteString("chain", chain);
        w.WriteStartArray("expr");
        expressions();
        w.WriteEndArray();
    }

    private static void Prefix(Utf8JsonWriter w, IPNetwork network)
    {
        w.WriteStartObject();
        w.WriteStartObject("prefix");
        w.WriteString("addr", network.BaseAddress.ToString());
        w.WriteNumber("len", network.PrefixLength);
        w.WriteEndObject();
        w.WriteEndObject();
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

    private static string Protocol(AddressFamily family) => family == AddressFamily.InterNetwork ? "ip" : "ip6";

    private static string Suffix(AddressFamily family) => family == AddressFamily.InterNetwork ? "4" : "6";
}
