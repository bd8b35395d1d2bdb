using System.Net;
using IronLb.Lab.Processes;
using IronLb.Lab.State;

namespace IronLb.Lab.Topology;

/// <summary>What holds a network of the host: an interface, or a lab (<see cref="Lab"/>) whose state claims it.
/// <see cref="Leftover"/> marks a lab of which nothing runs any more: a crash or a failed `down` left it.</summary>
internal sealed record SubnetUse(IPNetwork Network, string Holder, string? Lab = null, bool Leftover = false);

/// <summary>Which slice of 203.0.113.0/24 a new lab's management LAN gets: one that neither a host interface nor
/// another lab (even one whose host link is not up yet) is on.</summary>
internal static class ManagementSubnets
{
    /// <summary>The pure choice: the requested subnet if free, else the first free default /26; null with the
    /// reason, which names every holder in the way.</summary>
    public static IPNetwork? Choose(IPNetwork? requested, IReadOnlyCollection<SubnetUse> used, out string? problem)
    {
        if (requested is { } wanted)
        {
            var clashes = used.Where(u => Overlap(u.Network, wanted)).ToList();
            problem = clashes.Count == 0 ? null : $"--mgmt-subnet {wanted} overlaps {Describe(clashes)}";
            return problem is null ? wanted : null;
        }

        var free = LabPlan.DefaultManagementSubnets.Where(c => !used.Any(u => Overlap(u.Network, c))).Cast<IPNetwork?>().FirstOrDefault();
        problem = free is null
            ? $"every /26 of 203.0.113.0/24 is on a host interface or another lab: {Describe(used.Where(u => Overlap(u.Network, LabPlan.ManagementRange)))}; remove one, or pass --mgmt-subnet"
            : null;
        return free;
    }

    /// <summary>Networks of the host's IPv4 addresses and the subnets other labs have claimed in their state;
    /// <paramref name="removeCommand"/> gives the command line that removes a lab, for naming it in a leftover's
    /// description.</summary>
    public static async Task<List<SubnetUse>> InUseAsync(string stateRoot, Func<string, string> removeCommand, CancellationToken cancellationToken)
    {
        var used = (await CommandRunner.CheckAsync("ip", "-4", "-o", "addr", "show").ConfigureAwait(false))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(words => Array.IndexOf(words, "inet") is var i and >= 1 && i + 1 < words.Length ? (Interface: words[1], Address: words[i + 1]) : default)
            .Where(a => a.Address is not null)
            .Select(a => new SubnetUse(Cidr.Network(a.Address), $"host interface {a.Interface} ({a.Address})"))
            .ToList();
        foreach (var directory in Directory.Exists(stateRoot) ? Directory.EnumerateDirectories(stateRoot) : [])
        {
            try
            {
                if (await new StateStore(directory).LoadAsync(cancellationToken).ConfigureAwait(false) is { } other
                    && IPNetwork.TryParse(other.ManagementSubnet, out var claimed))
                {
                    var leftover = !Supervisor.AnyAlive(other);
                    var holder = leftover
                        ? $"lab {other.Name}, a leftover of which nothing runs (remove it with: {removeCommand(other.Name)})"
                        : $"lab {other.Name}";
                    used.Add(new SubnetUse(claimed, holder, other.Name, leftover));
                }
            }
            catch (Exception e) when (e is IOException or System.Text.Json.JsonException)
            {
                // A lab being removed or a damaged file: its host link, if any, is in the list already.
            }
        }

        return used;
    }

    private static string Describe(IEnumerable<SubnetUse> holders) =>
        string.Join("; ", holders.Select(u => $"{u.Network} by {u.Holder}"));

    private static bool Overlap(IPNetwork a, IPNetwork b) => a.Contains(b.BaseAddress) || b.Contains(a.BaseAddress);
}
