using System.Collections.Immutable;

namespace IronLb.Architecture.Tests;

/// <summary>
/// The reference graph of src/, as decided. docs/architecture.md draws the same table; change both together,
/// and only on purpose: a new edge is a design decision, not a build fix.
/// </summary>
internal static class ExpectedReferences
{
    private const string Core = "IronLb.Core";
    private const string Kubernetes = "IronLb.Kubernetes";
    private const string Manifests = "IronLb.Manifests";
    private const string Monitoring = "IronLb.Monitoring";
    private const string Networking = "IronLb.Networking";
    private const string Controller = "IronLb.Controller";
    private const string Speaker = "IronLb.Speaker";
    private const string Ironlb = "IronLb";
    private const string KubeSim = "IronLb.KubeSim";
    private const string Lab = "IronLb.Lab";
    private const string CommandLine = "IronLb.CommandLine";
    private const string Bgp = "IronLb.Bgp";

    private const string AspNetCore = "Microsoft.AspNetCore.App";
    private const string LoggingAbstractions = "Microsoft.Extensions.Logging.Abstractions";
    private const string LoggingConsole = "Microsoft.Extensions.Logging.Console";

    public static readonly ImmutableSortedDictionary<string, ProjectFile> Table = new[]
    {
        Row(Core, projects: [], packages: []),
        Row(Kubernetes, projects: [Core], packages: ["KubernetesClient.Aot", LoggingAbstractions]),
        Row(Manifests, projects: [Core], packages: ["YamlDotNet"]),
        Row(Monitoring, projects: [], packages: [LoggingConsole]),
        Row(Networking, projects: [], packages: [LoggingAbstractions]),
        Row(Controller, projects: [Core, Kubernetes, Monitoring], packages: []),
        Row(Speaker, projects: [Bgp, Core, Kubernetes, Manifests, Monitoring, Networking], packages: []),
        Row(CommandLine, projects: [], packages: ["System.CommandLine"]),
        Row(Bgp, projects: [], packages: [LoggingAbstractions]),
        Row(Ironlb, projects: [CommandLine, Core, Kubernetes, Manifests, Monitoring, Networking, Controller, Speaker], packages: ["System.CommandLine"]),
        Row(KubeSim, projects: [], packages: ["YamlDotNet"], frameworks: [AspNetCore]),
        Row(Lab, projects: [CommandLine, KubeSim, Kubernetes, Ironlb], packages: ["System.CommandLine", "YamlDotNet"]),
    }.ToImmutableSortedDictionary(p => p.Name, p => p, StringComparer.Ordinal);

    private static ProjectFile Row(string name, string[] projects, string[] packages, string[]? frameworks = null) =>
        new(name, [.. projects], [.. packages], [.. frameworks ?? []]);
}
