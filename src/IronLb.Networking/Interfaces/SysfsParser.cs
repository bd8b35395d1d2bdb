using System.Globalization;
using System.Net;
using IronLb.Networking.Packets;

namespace IronLb.Networking.Interfaces;

/// <summary>
/// Pure parsers for the text the kernel exposes in sysfs and procfs, tested on fixture files
/// (dotnet/runtime's StringParsingHelpers pattern). No I/O here.
/// </summary>
internal static class SysfsParser
{
    /// <summary><c>flags</c> is hex with a 0x prefix, e.g. "0x1003".</summary>
    public static InterfaceFlags? ParseFlags(string? text)
    {
        var t = text.AsSpan().Trim();
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            t = t[2..];
        }

        return uint.TryParse(t, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var v) ? (InterfaceFlags)v : null;
    }

    public static int? ParseInt(string? text) =>
        int.TryParse(text.AsSpan().Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;

    public static MacAddress? ParseMac(string? text) => MacAddress.TryParse(text, out var mac) ? mac : null;

    /// <summary>
    /// <c>/proc/net/if_inet6</c>: "address(32 hex) ifindex prefixlen scope flags name" per line.
    /// Returns the first link-local (scope 0x20) address per interface name.
    /// </summary>
    public static Dictionary<string, IPAddress> ParseLinkLocals(string? ifInet6)
    {
        var result = new Dictionary<string, IPAddress>(StringComparer.Ordinal);
        if (ifInet6 is null)
        {
            return result;
        }

        foreach (var line in ifInet6.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 6 || f[0].Length != 32 || !string.Equals(f[3], "20", StringComparison.Ordinal))
            {
                continue;
            }

            var bytes = new byte[16];
            var ok = true;
            for (var i = 0; i < 16 && ok; i++)
            {
                ok = byte.TryParse(f[0].AsSpan(i * 2, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out bytes[i]);
            }

            if (ok)
            {
                result.TryAdd(f[5], new IPAddress(bytes));
            }
        }

        return result;
    }
}
