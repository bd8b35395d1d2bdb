using IronLb.Core.Addressing;

namespace IronLb.Core.Allocation;

/// <summary>MetalLB's ipfamily helpers: the family of a set of addresses, and Go's %q list format.</summary>
public static class Families
{
    /// <summary>One address is its family; two of different families are dual; anything else is an error.</summary>
    public static bool TryGetFamily(IReadOnlyList<Address> addresses, out ServiceFamily family, out string error)
    {
        family = default;
        error = string.Empty;
        switch (addresses.Count)
        {
            case 1:
                family = addresses[0].Family.ToServiceFamily();
                return true;
            case 2 when addresses[0].Family != addresses[1].Family:
                family = ServiceFamily.Dual;
                return true;
            case 2:
                error = $"IPs {Quote(addresses)} have the same family";
                return false;
            default:
                error = $"invalid number of IPs {Quote(addresses)}: expected one or two";
                return false;
        }
    }

    /// <summary>Parses text addresses and returns their family; any unparsable entry is an error.</summary>
    public static bool TryParseFamily(IReadOnlyList<string> texts, out List<Address> addresses, out ServiceFamily family, out string error)
    {
        addresses = new List<Address>(texts.Count);
        family = default;
        foreach (var text in texts)
        {
            if (!Address.TryParse(text, out var address))
            {
                error = $"invalid IP \"{text}\"";
                return false;
            }

            addresses.Add(address);
        }

        return TryGetFamily(addresses, out family, out error);
    }

    /// <summary>Go's %q of a string slice: ["1.2.3.4" "1000::"], the form MetalLB's messages use.</summary>
    public static string Quote<T>(IEnumerable<T> items) =>
        "[" + string.Join(' ', items.Select(i => $"\"{i}\"")) + "]";
}
