using System.Collections.Immutable;

namespace IronLb.Core.Addressing;

/// <summary>
/// Parses one entry of IPAddressPool spec.addresses exactly as MetalLB does: a CIDR (not trimmed, host
/// bits masked) or "start-end" split at the first '-' with each side trimmed. Where MetalLB silently
/// yields nothing (a range mixing families) we reject with a message.
/// </summary>
public static class PoolAddressParser
{
    public static bool TryParse(string entry, out ImmutableArray<Cidr> cidrs, out string error)
    {
        cidrs = [];
        error = string.Empty;
        var dash = entry.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            if (!Cidr.TryParse(entry, out var cidr))
            {
                error = $"invalid CIDR \"{entry}\"";
                return false;
            }

            cidrs = [cidr];
            return true;
        }

        var startText = entry[..dash].Trim();
        var endText = entry[(dash + 1)..].Trim();
        if (!Address.TryParse(startText, out var start))
        {
            error = $"invalid IP range \"{entry}\": invalid start IP \"{startText}\"";
            return false;
        }

        if (!Address.TryParse(endText, out var end))
        {
            error = $"invalid IP range \"{entry}\": invalid end IP \"{endText}\"";
            return false;
        }

        if (start.Family != end.Family)
        {
            error = $"invalid IP range \"{entry}\": start and end are of different address families";
            return false;
        }

        if (start > end)
        {
            error = $"invalid IP range \"{entry}\": start IP \"{startText}\" is after the end IP \"{endText}\"";
            return false;
        }

        cidrs = new AddressRange(start, end).ToCidrs();
        return true;
    }
}
