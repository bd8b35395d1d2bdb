using System.Globalization;
using System.Text.Json;
using IronLb.Lab.State;
using static IronLb.Lab.Processes.CommandRunner;

namespace IronLb.Lab.Topology;

/// <summary>
/// Removes a lab's namespaces and host link: the recorded ones and any other with the lab's names (a crash
/// between making and recording). Deleting a namespace deletes the veth ends in it, and with them their peers.
/// </summary>
internal static class TopologySweeper
{
    public static async Task<List<string>> RemoveAsync(LabNames names, LabState? state)
    {
        var removed = new List<string>();
        var namespaces = (state?.Namespaces ?? []).Concat(await ListNamespacesAsync(names).ConfigureAwait(false)).Distinct(StringComparer.Ordinal).ToList();
        // Nodes before the lan namespace: no link is ever left dangling from a namespace still being removed.
        foreach (var ns in Enumerable.Reverse(namespaces))
        {
            if (await RemoveNamespaceAsync(ns).ConfigureAwait(false))
            {
                removed.Add($"netns {ns}");
            }
        }

        var hostLinks = (state?.Links ?? []).Where(l => l.Namespace is null).Select(l => l.Name).Append(names.HostLink).Distinct(StringComparer.Ordinal);
        foreach (var link in hostLinks)
        {
            if ((await RunAsync("ip", "link", "show", "dev", link).ConfigureAwait(false)).Ok)
            {
                await IpAsync("link", "del", link).ConfigureAwait(false);
                removed.Add($"link {link}");
            }
        }

        return removed;
    }

    /// <summary>Namespaces whose name starts with the lab's prefix (lab names have no dash, so only this lab's).</summary>
    public static async Task<List<string>> ListNamespacesAsync(LabNames names)
    {
        var list = await RunAsync("ip", "netns", "list").ConfigureAwait(false);
        return [.. list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ')[0])
            .Where(ns => ns.StartsWith(names.NamespacePrefix, StringComparison.Ordinal))];
    }

    /// <summary>Pids of processes inside a namespace (the lab's speakers, or anything started in it by hand).</summary>
    public static async Task<List<int>> PidsAsync(string ns)
    {
        var result = await RunAsync("ip", "netns", "pids", ns).ConfigureAwait(false);
        return [.. result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => int.TryParse(p.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0)
            .Where(pid => pid > 0)];
    }

    /// <summary>An interface's MAC inside a namespace, or null when it is not there.</summary>
    public static async Task<string?> MacAsync(string ns, string device)
    {
        var result = await RunAsync("ip", "-n", ns, "-j", "link", "show", "dev", device).ConfigureAwait(false);
        if (!result.Ok)
        {
            return null;
        }

        using var json = JsonDocument.Parse(result.Stdout);
        return json.RootElement.EnumerateArray().Select(e => e.TryGetProperty("address", out var a) ? a.GetString() : null).FirstOrDefault();
    }

    private static async Task<bool> RemoveNamespaceAsync(string ns)
    {
        if (!File.Exists(Path.Combine("/run/netns", ns)))
        {
            return false;
        }

        // A process still inside would keep the namespace (and its links on our bridges) alive after its name goes.
        foreach (var pid in await PidsAsync(ns).ConfigureAwait(false))
        {
            await RunAsync("sh", "-c", "kill -s KILL \"$1\"", "sh", pid.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
        }

        await IpAsync("netns", "del", ns).ConfigureAwait(false);
        return true;
    }
}
