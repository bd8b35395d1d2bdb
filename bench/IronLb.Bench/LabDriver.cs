using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IronLb.Lab.Processes;
using IronLb.Lab.Status;

namespace IronLb.Bench;

/// <summary>What the benchmarks that drive `ironlb-lab` share: its commands, its status and a process's memory in /proc.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class LabDriver
{
    /// <summary>Runs ironlb-lab (built beside this bench through the project reference); throws when it fails.</summary>
    public static Task<string> LabAsync(params string[] args) =>
        CommandRunner.CheckAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "ironlb-lab.dll"), .. args]);

    public static async Task<LabStatus> StatusAsync(string name) =>
        JsonSerializer.Deserialize(await LabAsync("status", "--name", name, "--output", "json"), LabStatusJson.Default.LabStatus)
            ?? throw new InvalidOperationException("ironlb-lab status printed nothing");

    /// <summary>MetalLB's election order for an address: nodes by sha256("node#address"), ascending.</summary>
    public static List<string> ElectionOrder(IEnumerable<string> nodes, string address) =>
        [.. nodes.OrderBy(n => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{n}#{address}"))), StringComparer.Ordinal)];

    public static string ExternalMac(NodeStatus node) => node.Interfaces.Single(i => i.Lan == "external").Mac!;

    public static ClientStatus ExternalClient(LabStatus lab) => lab.Clients.Single(c => c.Lan == "external");

    /// <summary>Waits (up to a minute) until two arpings from the external client for <paramref name="address"/> are both answered by <paramref name="owner"/>.</summary>
    public static async Task AnsweredByAsync(LabStatus lab, NodeStatus owner, string address)
    {
        var client = ExternalClient(lab);
        for (var attempt = 0; attempt < 120; attempt++)
        {
            var arping = await CommandRunner.RunAsync("ip", "netns", "exec", client.Netns, "arping", "-c", "2", "-w", "3", "-I", client.Interface, address);
            var replies = arping.Stdout.Split('\n').Where(l => l.Contains("reply from", StringComparison.Ordinal)).ToList();
            if (replies.Count == 2 && replies.All(r => r.Contains(ExternalMac(owner), StringComparison.OrdinalIgnoreCase)))
            {
                return;
            }

            await Task.Delay(500);
        }

        throw new TimeoutException($"{address} not answered by {owner.Name} alone");
    }

    /// <summary>Resident memory in MB (VmRSS of /proc/PID/status).</summary>
    public static double RssMb(int pid) => Kilobytes($"/proc/{pid}/status")["VmRSS"] / 1024.0;

    /// <summary>The `Name: N kB` lines of a /proc file (status, smaps_rollup) by name, in kB.</summary>
    public static Dictionary<string, double> Kilobytes(string path)
    {
        var fields = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path))
        {
            var parts = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts is [var key, var value, "kB"] && key.EndsWith(':'))
            {
                fields[key[..^1]] = double.Parse(value, CultureInfo.InvariantCulture);
            }
        }

        return fields;
    }
}
