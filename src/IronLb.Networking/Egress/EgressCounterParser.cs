using System.Collections.Immutable;
using System.Net.Sockets;
using System.Text.Json;

namespace IronLb.Networking.Egress;

/// <summary>One Service's translated traffic in one family since its counter was created (each table
/// replacement starts the counters again at zero).</summary>
public sealed record EgressCounter(string Service, AddressFamily Family, ulong Packets, ulong Bytes);

/// <summary>What <see cref="EgressCounterParser"/> read: the counters, and how many items it dropped.</summary>
public sealed record EgressCounterParse(ImmutableArray<EgressCounter> Counters, int Dropped)
{
    public static EgressCounterParse Malformed { get; } = new([], 1);
}

/// <summary>
/// Reads libnftables' JSON answer to "list counters" of the table: {"nftables": [{"metainfo": ...},
/// {"counter": {"family", "name", "table", "handle", "packets", "bytes"}}, ...]}. Total: a document that is
/// not JSON, or not of that shape, is one drop; a counter that is not IronLB's or lacks numbers is one drop
/// each; nothing throws.
/// </summary>
public static class EgressCounterParser
{
    public static EgressCounterParse Parse(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return EgressCounterParse.Malformed;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            return Read(document.RootElement);
        }
        catch (JsonException)
        {
            return EgressCounterParse.Malformed;
        }
    }

    private static EgressCounterParse Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("nftables", out var items) || items.ValueKind != JsonValueKind.Array)
        {
            return EgressCounterParse.Malformed;
        }

        var counters = ImmutableArray.CreateBuilder<EgressCounter>();
        var dropped = 0;
        foreach (var item in items.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("counter", out var counter))
            {
                continue; // metainfo and anything else that is not a counter
            }

            if (ReadCounter(counter) is { } parsed)
            {
                counters.Add(parsed);
            }
            else
            {
                dropped++;
            }
        }

        return new EgressCounterParse(counters.ToImmutable(), dropped);
    }

    private static EgressCounter? ReadCounter(JsonElement counter)
    {
        if (counter.ValueKind != JsonValueKind.Object
            || !counter.TryGetProperty("name", out var nameElement) || nameElement.ValueKind != JsonValueKind.String
            || !counter.TryGetProperty("packets", out var packets) || packets.ValueKind != JsonValueKind.Number || !packets.TryGetUInt64(out var p)
            || !counter.TryGetProperty("bytes", out var bytes) || bytes.ValueKind != JsonValueKind.Number || !bytes.TryGetUInt64(out var b))
        {
            return null;
        }

        if (counter.TryGetProperty("table", out var table) && (table.ValueKind != JsonValueKind.String || table.GetString() != EgressNftRenderer.Table))
        {
            return null;
        }

        var name = nameElement.GetString()!;
        var at = name.LastIndexOf('@');
        if (at <= 0)
        {
            return null;
        }

        AddressFamily? family = name[(at + 1)..] switch
        {
            "ipv4" => AddressFamily.InterNetwork,
            "ipv6" => AddressFamily.InterNetworkV6,
            _ => null,
        };
        return family is { } f ? new EgressCounter(name[..at], f, p, b) : null;
    }
}
