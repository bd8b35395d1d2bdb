using System.Globalization;
using System.Net;
using System.Text.Json;
using IronLb.Kubernetes.Client;

namespace IronLb.Chaos.Soak;

/// <summary>A node of the lab as the soak sees it: its namespace, the MAC it answers with on the external LAN, its speaker.</summary>
internal sealed record SoakNode(string Name, string Netns, string ExternalMac, int? SpeakerPid);

/// <summary>`ironlb-lab status --output json`, the parts the soak needs.</summary>
internal sealed record SoakLabStatus(string Kubeconfig, IPEndPoint Api, IReadOnlyList<SoakNode> Nodes, string ClientNetns, string ClientInterface, int Controllers)
{
    public static SoakLabStatus Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var nodes = root.GetProperty("nodes").EnumerateArray().Select(n => new SoakNode(
            n.GetProperty("name").GetString()!,
            n.GetProperty("netns").GetString()!,
            n.GetProperty("interfaces").EnumerateArray().Single(i => i.GetProperty("lan").GetString() == "external").GetProperty("mac").GetString()!,
            n.GetProperty("speakerPid").ValueKind == JsonValueKind.Number ? n.GetProperty("speakerPid").GetInt32() : null)).ToList();
        var client = root.GetProperty("clients").EnumerateArray().Single(c => c.GetProperty("lan").GetString() == "external");
        return new SoakLabStatus(
            root.GetProperty("kubeconfig").GetString()!,
            IPEndPoint.Parse(new Uri(root.GetProperty("apiserver").GetString()!).Authority),
            nodes,
            client.GetProperty("netns").GetString()!,
            client.GetProperty("interface").GetString()!,
            root.GetProperty("controllerPids").GetArrayLength());
    }

    public SoakNode Node(string name) => Nodes.Single(n => n.Name == name);
}

/// <summary>
/// A running lab the soak drives through the built `ironlb-lab` (its commands, as a user runs them). The caller
/// owns the lab's life (`up` and `down`): the bench brings its own, the test borrows the fault matrix's.
/// </summary>
/// <param name="labDll">The built ironlb-lab.dll.</param>
/// <param name="name">The lab's name.</param>
/// <param name="lanNamespace">The lab's LAN namespace (LabNames.LanNamespace), where the flood source goes.</param>
internal sealed class SoakLab(string labDll, string name, string lanNamespace)
{
    public string Name => name;

    public string LanNamespace => lanNamespace;

    public string LabDll => labDll;

    public Task<ProcessResult> RunAsync(params string[] args) =>
        ProcessRunner.RunAsync(ProcessRunner.DotnetStartInfo("dotnet", [labDll, .. args, "--name", name]), TimeSpan.FromMinutes(4));

    public async Task<string> OkAsync(params string[] args)
    {
        var result = await RunAsync(args).ConfigureAwait(false);
        return result.ExitCode == 0 ? result.Stdout : throw new InvalidOperationException($"ironlb-lab {string.Join(' ', args)}: {result}");
    }

    public async Task<SoakLabStatus> StatusAsync() => SoakLabStatus.Parse(await OkAsync("status", "--output", "json").ConfigureAwait(false));

    public KubeConnection Connect(SoakLabStatus status) => KubeConnection.Create(status.Kubeconfig);

    public string StateDirectory => Path.Combine("/run/ironlb-lab", name);

    /// <summary>Signals a process directly (starting ironlb-lab takes a second, which would count against the fault).</summary>
    public static Task<ProcessResult> SignalAsync(int pid, string signal) =>
        ProcessRunner.RunAsync("kill", $"-{signal}", pid.ToString(CultureInfo.InvariantCulture));
}
