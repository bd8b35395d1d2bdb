using System.Text.RegularExpressions;

namespace IronLb.Networking.Interfaces;

/// <summary>Which responders an interface gets (MetalLB §4.6), and why not when it gets none.</summary>
internal readonly record struct InterfaceEligibility(bool Arp, bool Ndp, string? SkipReason);

/// <summary>MetalLB's interface selection: exclusion regex, UP, not enslaved, not NOARP; ARP needs BROADCAST, NDP a link-local.</summary>
internal sealed class InterfaceFilter
{
    /// <summary>MetalLB's default <c>announcedInterfacesToExclude</c> list, ORed into one regex.</summary>
    public static readonly IReadOnlyList<string> DefaultExclusions =
    [
        "^docker.*", "^cbr.*", "^dummy.*", "^virbr.*", "^lxcbr.*", "^veth.*", "^lo$",
        "^cali.*", "^tunl.*", "^flannel.*", "^kube-ipvs.*", "^cni.*", "^nodelocaldns.*", "^lxc.*",
    ];

    private readonly Regex? _exclude;

    public InterfaceFilter(IEnumerable<string>? exclusions = null)
    {
        var list = (exclusions ?? DefaultExclusions).ToList();
        _exclude = list.Count == 0 ? null : new Regex(string.Join('|', list.Select(p => $"(?:{p})")), RegexOptions.CultureInvariant);
    }

    public InterfaceEligibility Evaluate(InterfaceInfo i)
    {
        if (_exclude is not null && _exclude.IsMatch(i.Name))
        {
            return new(false, false, "excluded by name");
        }

        if (!i.IsUp)
        {
            return new(false, false, "not up");
        }

        if (i.HasMaster)
        {
            return new(false, false, "enslaved to a bond or bridge");
        }

        if ((i.Flags & InterfaceFlags.NoArp) != 0)
        {
            return new(false, false, "NOARP");
        }

        // Our frames are Ethernet II; other link types (tunnels, loopback, infiniband) cannot carry them.
        if (i.LinkType != InterfaceInfo.LinkTypeEthernet || i.Mac.IsZero)
        {
            return new(false, false, "not Ethernet");
        }

        var arp = (i.Flags & InterfaceFlags.Broadcast) != 0;
        var ndp = i.LinkLocal is not null;
        return new(arp, ndp, arp || ndp ? null : "no broadcast and no IPv6 link-local");
    }
}
