namespace IronLb.Lab.Status;

/// <summary>`ironlb-lab status` for people: one row per node, per client and per pod.</summary>
internal static class StatusTable
{
    private static readonly string[] ClientHeader = ["CLIENT LAN", "NETNS", "INTERFACE"];

    private static readonly string[] PodHeader = ["POD", "SERVICE", "NODE", "NETNS", "INTERFACE", "ADDRESSES"];

    public static string Render(string name, LabStatus status, int? apiServerPid)
    {
        var lines = new List<string>
        {
            $"lab {name}: API server {status.Apiserver} ({(apiServerPid is { } a ? $"pid {a}" : "not running")}), kubeconfig {status.Kubeconfig}",
            $"controller: {(status.ControllerPids.IsEmpty ? "not running" : "pid " + string.Join(", ", status.ControllerPids))}",
            "",
        };
        var lans = status.Nodes.SelectMany(n => n.Interfaces.Select(i => (i.Name, i.Lan))).Distinct().ToList();
        string[] header = ["NODE", "NETNS", "SPEAKER", .. lans.Select(l => $"{l.Name} ({l.Lan})")];
        var rows = new List<string[]> { header };
        rows.AddRange(status.Nodes.Select(n => (string[])[
            n.Name, n.Netns, n.SpeakerPid is { } p ? $"pid {p}" : "dead",
            .. lans.Select(l => n.Interfaces.FirstOrDefault(i => i.Name == l.Name)?.Mac ?? "-")]));
        lines.AddRange(Align(rows));
        lines.Add("");
        var clients = new List<string[]> { ClientHeader };
        clients.AddRange(status.Clients.Select(c => new[] { c.Lan, c.Netns, c.Interface }));
        lines.AddRange(Align(clients));
        if (!status.Pods.IsEmpty)
        {
            lines.Add("");
            var pods = new List<string[]> { PodHeader };
            pods.AddRange(status.Pods.Select(p => new[] { $"{p.Namespace}/{p.Name}", p.Service, p.Node, p.Netns, p.Interface, string.Join(", ", p.Addresses) }));
            lines.AddRange(Align(pods));
        }

        foreach (var router in status.Routers)
        {
            lines.Add("");
            lines.Add($"router {router.Name}: {router.Software}, AS {router.Asn}, {string.Join(", ", router.Addresses)} (netns {router.Netns}; vtysh -N {router.Name} -c 'show bgp summary')");
        }

        return string.Join('\n', lines) + "\n";
    }

    private static IEnumerable<string> Align(List<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        return rows.Select(r => string.Join("  ", r.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
    }
}
