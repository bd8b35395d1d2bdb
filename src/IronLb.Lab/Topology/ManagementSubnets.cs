using System.Net;
using IronLb.Lab.Processes;
using IronLb.Lab.State;

namespace IronLb.Lab.Topology;

/// <summary>Which slice of 203.0.113.0/24 a new lab's management LAN gets: one that neither a host interface nor
/// another lab (even one whose host link is not up yet) is on.</summary>
internal static class ManagementSubnets
{
    /// <summary>The pure choice: the requested subnet if free, else the first free default /26; null with the reason.</summary>
    public static IPNetwork? Choose(IPNetwork? requested, IReadOnlyCollection<IPNetwork> used, out string? problem)
    {
        if (requested is { } wanted)
        {
            var clash = used.FirstOrDefault(u => Overlap(u, wanted));
            problem = clash == default ? null : $"--mgmt-subnet {wanted} overlaps {clash}, already on this host or another lab";
            return problem is null ? wanted : null;
        }

        var free = LabPlan.DefaultManagementSubnets.Where(c => !used.Any(u => Overlap(u, c))).Cast<IPNetwork?>().FirstOrDefault();
        problem = free is null ? "every /26 of 203.0.113.0/24 is on a host interface or another lab; pass --mgmt-subnet" : null;
        return free;
    }

    /// <summary>Networks of the host's IPv4 addresses and the subnets other labs have claimed in their state.</summary>
    public static async Task<List<IPNetwork>> InUseAsync(string stateRoot, CancellationToken cancellationToken)
    {
        var used = (await CommandRunner.CheckAsync("ip", "-4", "-o", "addr", "show").ConfigureAwait(false))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(words => Array.IndexOf(words, "inet") is var i and >= 0 && i + 1 < words.Length ? words[i + 1] : null)
            .OfType<string>()
            .Select(Cidr.Network)
            .ToList();
        foreach (var directory in Directory.Exists(stateRoot) ? Directory.EnumerateDirectories(stateRoot) : [])
        {
            try
            {
                if (await new StateStore(directory).LoadAsync(cancellationToken).ConfigureAwait(false) is { } other
                    && IPNetwork.TryParse(other.ManagementSubnet, out var claimed))
                {
                    used.Add(claimed);
                }
            }
            catch (Exception e) when (e is IOException or System.Text.Json.JsonException)
            {
                // A lab being removed or a damaged file: its host link, if any, is in the list already.
            }
        }

        return used;
    }

    private static bool Overlap(IPNetwork a, IPNetwork b) => a.Contains(b.BaseAddress) || b.Contains(a.BaseAddress);
}
