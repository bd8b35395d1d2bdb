using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace IronLb.Networking.Egress;

/// <summary>The pieces of libnftables' JSON schema the egress table uses, written straight to a Utf8JsonWriter
/// (no reflection, AOT-clean). Every object lives in family inet, table ironlb.</summary>
internal static class NftJson
{
    /// <summary>{"verb": {"kind": {"family": "inet", "table"/"name": "ironlb", body}}}.</summary>
    public static void Command(Utf8JsonWriter w, string verb, string kind, Action body)
    {
        w.WriteStartObject();
        w.WriteStartObject(verb);
        w.WriteStartObject(kind);
        w.WriteString("family", "inet");
        w.WriteString(kind == "table" ? "name" : "table", EgressNftRenderer.Table);
        body();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>A set or map: its key type, the map's value type (null for a set), flags, elements.</summary>
    public static void SetBody(Utf8JsonWriter w, string name, AddressFamily family, string? map, bool interval, int count, Action<int> element)
    {
        w.WriteString("name", name);
        w.WriteString("type", AddressType(family));
        if (map is not null)
        {
            w.WriteString("map", map);
        }

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

    /// <summary>A map element: [key, value].</summary>
    public static void Pair(Utf8JsonWriter w, IPAddress key, Action value)
    {
        w.WriteStartArray();
        w.WriteStringValue(key.ToString());
        value();
        w.WriteEndArray();
    }

    public static void Jump(Utf8JsonWriter w, string chain)
    {
        w.WriteStartObject();
        w.WriteStartObject("jump");
        w.WriteString("target", chain);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    public static void Prefix(Utf8JsonWriter w, IPNetwork network)
    {
        w.WriteStartObject();
        w.WriteStartObject("prefix");
        w.WriteString("addr", network.BaseAddress.ToString());
        w.WriteNumber("len", network.PrefixLength);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>A base chain: hooked, with its type and priority; a regular chain when <paramref name="hook"/> is null.</summary>
    public static void ChainBody(Utf8JsonWriter w, string name, string? type = null, string? hook = null, int priority = 0)
    {
        w.WriteString("name", name);
        if (hook is not null)
        {
            w.WriteString("type", type);
            w.WriteString("hook", hook);
            w.WriteNumber("prio", priority);
            w.WriteString("policy", "accept");
        }
    }

    public static void RuleBody(Utf8JsonWriter w, string chain, Action expressions)
    {
        w.WriteString("chain", chain);
        w.WriteStartArray("expr");
        expressions();
        w.WriteEndArray();
    }

    /// <summary>ip daddr != @excluded4 (ip6 and @excluded6 for IPv6).</summary>
    public static void NotExcluded(Utf8JsonWriter w, AddressFamily family)
    {
        w.WriteStartObject();
        w.WriteStartObject("match");
        w.WriteString("op", "!=");
        w.WritePropertyName("left");
        Address(w, family, "daddr");
        w.WriteString("right", $"@excluded{Suffix(family)}");
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>{"map": {"key": ip saddr, "data": "@name"}}: the value the packet's source maps to.</summary>
    public static void SourceLookup(Utf8JsonWriter w, AddressFamily family, string map) => BySource(w, "map", family, map);

    /// <summary>ip saddr vmap @name.</summary>
    public static void SourceVerdictMap(Utf8JsonWriter w, AddressFamily family, string map) => BySource(w, "vmap", family, map);

    private static void BySource(Utf8JsonWriter w, string kind, AddressFamily family, string map)
    {
        w.WriteStartObject();
        w.WriteStartObject(kind);
        w.WritePropertyName("key");
        Address(w, family, "saddr");
        w.WriteString("data", "@" + map);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>meta mark set (meta mark &amp; ~mask) | mark: only the mask's bits change.</summary>
    public static void SetMark(Utf8JsonWriter w, uint mark, uint mask)
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

    public static string Protocol(AddressFamily family) => family == AddressFamily.InterNetwork ? "ip" : "ip6";

    public static string Suffix(AddressFamily family) => family == AddressFamily.InterNetwork ? "4" : "6";

    public static string AddressType(AddressFamily family) => family == AddressFamily.InterNetwork ? "ipv4_addr" : "ipv6_addr";

    private static void Address(Utf8JsonWriter w, AddressFamily family, string field)
    {
        w.WriteStartObject();
        w.WriteStartObject("payload");
        w.WriteString("protocol", Protocol(family));
        w.WriteString("field", field);
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
}
