using IronLb.Lab.Processes;
using IronLb.Lab.Topology;

namespace IronLb.Lab.Operations;

/// <summary>
/// `host add` and `host del`: another machine on a lab LAN, for trying what IronLB does when a host it does not
/// know uses (or claims) an address. A host is on record before it is made, and removed again if making it
/// fails, so neither a failure nor a crash leaves it behind: `down` removes recorded hosts with the lab.
/// </summary>
internal static class HostOperations
{
    public static async Task<int> AddAsync(LabSession session, string host, string lan, IReadOnlyList<string> addresses)
    {
        if (HostPlanner.Plan(session.Plan, session.State.Hosts, host, lan, addresses, out var problem) is not { } record)
        {
            await Console.Error.WriteLineAsync($"ironlb-lab: {problem}").ConfigureAwait(false);
            return LabExit.Usage;
        }

        await session.RecordAsync(s => s.WithHost(record)).ConfigureAwait(false);
        try
        {
            await HostBuilder.BuildAsync(session.Plan, record).ConfigureAwait(false);
        }
        catch (LabCommandException e)
        {
            await Console.Error.WriteLineAsync($"ironlb-lab: host add failed: {e.Message}; removing what was made").ConfigureAwait(false);
            await RemoveAsync(session, host).ConfigureAwait(false);
            return LabExit.Failed;
        }

        var holds = record.Addresses.IsEmpty ? "no addresses" : string.Join(", ", record.Addresses);
        await Console.Out.WriteLineAsync(
            $"ironlb-lab: host {host} on LAN {lan}: netns {record.Namespace}, {record.Interface} {record.Mac}, {holds}; "
            + $"run things in it with: {PrintedCommand.Lab("exec", "--name", session.State.Name, $"{LabNames.HostInfix}{host}", "--", "ip", "addr")}").ConfigureAwait(false);
        return LabExit.Ok;
    }

    public static async Task<int> DeleteAsync(LabSession session, string host)
    {
        if (LabNames.CheckHostName(host) is { } problem)
        {
            await Console.Error.WriteLineAsync($"ironlb-lab: {problem}").ConfigureAwait(false);
            return LabExit.Usage;
        }

        if (!await RemoveAsync(session, host).ConfigureAwait(false))
        {
            await Console.Error.WriteLineAsync($"ironlb-lab: lab {session.State.Name} has no host {host}").ConfigureAwait(false);
            return LabExit.Failed;
        }

        await Console.Out.WriteLineAsync($"ironlb-lab: removed host {host} ({session.Plan.Names.HostNamespace(host)})").ConfigureAwait(false);
        return LabExit.Ok;
    }

    /// <summary>Removes the host's namespace (on record or not) and then its record: false when neither existed.</summary>
    private static async Task<bool> RemoveAsync(LabSession session, string host)
    {
        var known = session.State.Hosts.Any(h => h.Name == host);
        var removed = await TopologySweeper.RemoveNamespaceAsync(session.Plan.Names.HostNamespace(host)).ConfigureAwait(false);
        await session.RecordAsync(s => s.WithoutHost(host)).ConfigureAwait(false);
        return known || removed;
    }
}
