using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using IronLb.Lab.State;

namespace IronLb.Lab.Topology;

/// <summary>
/// What `ironlb-lab host add` makes, computed without touching the machine: a namespace with one veth into a
/// client LAN's bridge, a MAC of its own and addresses from that LAN's prefixes only (documentation prefixes, the
/// lab's own LAN), never a node's or the client's address. The management LAN is refused: it reaches the host.
/// </summary>
internal static class HostPlanner
{
    /// <summary>The host, or null with the reason (naming the flag or address at fault).</summary>
    public static HostRecord? Plan(LabPlan plan, IReadOnlyList<HostRecord> existing, string host, string lan, IReadOnlyList<string> addresses, out string? problem)
    {
        problem = LabNames.CheckHostName(host);
        if (problem is not null)
        {
            return null;
        }

        if (existing.Any(h => h.Name == host))
        {
            problem = $"lab {plan.Names.Lab} already has a host {host} (remove it first with host del)";
            return null;
        }

        if (plan.Clients.FirstOrDefault(c => c.Lan == lan) is not { } client)
        {
            problem = $"--lan {lan}: a host joins one of the client LANs ({string.Join(", ", plan.Clients.Select(c => c.Lan))})";
            return null;
        }

        var networks = client.Interface.Addresses.Select(Cidr.Network).ToList();
        var taken = plan.Nodes.SelectMany(n => n.Interfaces).Concat([client.Interface]).Where(i => i.Lan == lan)
            .SelectMany(i => i.Addresses).Select(Cidr.Address).ToHashSet();
        var cidrs = ImmutableArray.CreateBuilder<string>();
        foreach (var text in addresses)
        {
            if (!IPAddress.TryParse(text, out var address) || text.Contains('/', StringComparison.Ordinal))
            {
                problem = $"--address {text} is not an IP address (give it without a prefix length: the LAN's is used)";
                return null;
            }

            var on = networks.FindIndex(n => n.Contains(address));
            if (on < 0)
            {
                problem = $"--address {text} is outside LAN {lan}'s prefixes ({string.Join(", ", networks)}): a lab host uses only its LAN's documentation prefixes";
                return null;
            }

            if (taken.Contains(address))
            {
                problem = $"--address {text} belongs to a node or the client of LAN {lan}";
                return null;
            }

            var cidr = $"{address}/{networks[on].PrefixLength.ToString(CultureInfo.InvariantCulture)}";
            if (cidrs.Contains(cidr))
            {
                problem = $"--address {text} is given twice";
                return null;
            }

            cidrs.Add(cidr);
        }

        return new HostRecord(host, lan, plan.Names.HostNamespace(host), LabNames.HostInterface, LabNames.HostBridgePort(host), Mac(plan.Names.Lab, host), cidrs.ToImmutable());
    }

    /// <summary>
    /// Locally administered and unicast (02:…), from the lab's and host's names: the same host always has the same
    /// MAC, so a capture or a test can name it, and it is no node's (theirs are the kernel's random ones).
    /// </summary>
    public static string Mac(string lab, string host)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{lab}/{host}"));
        return string.Create(CultureInfo.InvariantCulture, $"02:1a:b0:{hash[0]:x2}:{hash[1]:x2}:{hash[2]:x2}");
    }
}
