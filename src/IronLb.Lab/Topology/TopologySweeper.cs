using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using IronLb.Lab.Processes;
using IronLb.Lab.State;
using static IronLb.Lab.Processes.CommandRunner;

namespace IronLb.Lab.Topology;

/// <summary>
/// Removes a lab's namespaces and host link: the recorded ones and any other with the lab's names (a crash
/// between making and recording). Deleting a namespace deletes the veth ends in it, and with them their peers,
/// but the kernel does that later, on its own: a link or namespace can vanish between our look and our delete.
/// So a delete's exit code decides nothing; what counts is that the thing is absent afterwards.
/// </summary>
internal static class TopologySweeper
{
    /// <summary>How long a link or namespace may take to go once deleted (the kernel's cleanup is queued work).</summary>
    private static readonly TimeSpan GoneWithin = TimeSpan.FromSeconds(20);

    public static async Task<List<string>> RemoveAsync(LabNames names, LabState? state)
    {
        var removed = new List<string>();
        // The host link first, while its peer's namespace still exists: deleting it is then the only way it goes,
        // and nothing races us for it (unless the namespace was removed by someone else, which is handled too).
        var hostLinks = (state?.Links ?? []).Where(l => l.Namespace is null).Select(l => l.Name).Append(names.HostLink).Distinct(StringComparer.Ordinal);
        foreach (var link in hostLinks)
        {
            if (await EnsureGoneAsync($"link {link}", () => HostLinkExistsAsync(link), () => RunAsync("ip", "link", "del", "dev", link)).ConfigureAwait(false))
            {
                removed.Add($"link {link}");
            }
        }

        var namespaces = (state?.Namespaces ?? []).Concat(await ListNamespacesAsync(names).ConfigureAwait(false)).Distinct(StringComparer.Ordinal).ToList();
        // Nodes before the lan namespace: no link is ever left dangling from a namespace still being removed.
        foreach (var ns in Enumerable.Reverse(namespaces))
        {
            if (await EnsureGoneAsync($"netns {ns}", () => Task.FromResult(NamespaceExists(ns)), () => DeleteNamespaceAsync(ns)).ConfigureAwait(false))
            {
                removed.Add($"netns {ns}");
            }
        }

        return removed;
    }

    /// <summary>Removes one namespace (and so its veths) until it is gone: false when it was not there.</summary>
    public static Task<bool> RemoveNamespaceAsync(string ns) =>
        EnsureGoneAsync($"netns {ns}", () => Task.FromResult(NamespaceExists(ns)), () => DeleteNamespaceAsync(ns));

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

    /// <summary>True when the host's namespace has a link of that name.</summary>
    public static async Task<bool> HostLinkExistsAsync(string link) => (await RunAsync("ip", "link", "show", "dev", link).ConfigureAwait(false)).Ok;

    public static bool NamespaceExists(string ns) => File.Exists(Path.Combine("/run/netns", ns));

    /// <summary>
    /// Deletes <paramref name="what"/> until it is absent: false when it was not there to begin with, true when it
    /// was and now is gone (whoever removed it), and an error naming it only when it is still there after a while.
    /// </summary>
    private static async Task<bool> EnsureGoneAsync(string what, Func<Task<bool>> exists, Func<Task<CommandResult>> delete)
    {
        if (!await exists().ConfigureAwait(false))
        {
            return false;
        }

        var clock = Stopwatch.StartNew();
        CommandResult? last = null;
        while (true)
        {
            last = await delete().ConfigureAwait(false);
            if (!await exists().ConfigureAwait(false))
            {
                return true;
            }

            if (clock.Elapsed > GoneWithin)
            {
                throw new LabCommandException($"{what} is still there {GoneWithin.TotalSeconds:0} s after deleting it (last attempt: {last})");
            }

            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    private static async Task<CommandResult> DeleteNamespaceAsync(string ns)
    {
        // A process still inside would keep the namespace (and its links on our bridges) alive after its name goes.
        foreach (var pid in await PidsAsync(ns).ConfigureAwait(false))
        {
            await RunAsync("sh", "-c", "kill -s KILL \"$1\"", "sh", pid.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
        }

        return await RunAsync("ip", "netns", "del", ns).ConfigureAwait(false);
    }
}
