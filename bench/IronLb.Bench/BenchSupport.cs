using System.Globalization;
using IronLb.Kubernetes.Client;

namespace IronLb.Bench;

/// <summary>What every benchmark shares: the `key: value` output docs/performance.md records, and the repository's CRDs.</summary>
internal static class BenchSupport
{
    public static void Print(string key, double value) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{key}: {value:0.###}"));

    /// <summary>The middle value; the mean of the two middle ones for an even count.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2] * 0.5 + sorted[(sorted.Count - 1) / 2] * 0.5;
    }

    /// <summary>The nearest-rank percentile (<paramref name="p"/> from 0 to 1): the smallest value with at least that share of values at or below it.</summary>
    public static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    /// <summary>`{prefix}_median_{unit}`, `_min_` and `_max_` of a series of runs.</summary>
    public static void PrintRuns(string prefix, IReadOnlyCollection<double> values, string unit)
    {
        Print($"{prefix}_median_{unit}", Median(values));
        Print($"{prefix}_min_{unit}", values.Min());
        Print($"{prefix}_max_{unit}", values.Max());
    }

    /// <summary>A lab or namespace name prefix: 1–8 of a–z and 0–9, leaving room for a suffix within a lab name's 10 characters.</summary>
    public static bool IsNamePrefix([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? value) =>
        value is { Length: > 0 and <= 8 } && value.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c));

    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "IronLb.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("run from inside the repository");
    }

    /// <summary>
    /// Creates deploy/crds' metallb.io CRDs of the given plurals through IronLB's own connection, as JSON text:
    /// KubernetesClient.Aot's source-generated JSON cannot write a CRD's schema (its JsonElement parts).
    /// </summary>
    public static async Task InstallCrdsAsync(string kubeconfig, params string[] plurals)
    {
        using var connection = KubeConnection.Create(kubeconfig);
        foreach (var plural in plurals)
        {
            var crd = IronLb.KubeSim.Json.YamlToJson.Convert(await File.ReadAllTextAsync(Path.Combine(RepoRoot(), "deploy", "crds", $"metallb.io_{plural}.yaml")))!;
            await connection.PostAsync("apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd.ToJsonString(), CancellationToken.None);
        }
    }

    /// <summary>
    /// A MetalLB object in metallb-system from its JSON text, through IronLB's own connection: KubernetesClient.Aot's
    /// CustomObjects writes its <c>object</c> body with source-generated JSON that cannot write a JsonElement.
    /// </summary>
    public static async Task CreateMetalLbObjectAsync(string kubeconfig, string plural, string json)
    {
        using var connection = KubeConnection.Create(kubeconfig);
        await connection.PostAsync($"apis/metallb.io/v1beta1/namespaces/metallb-system/{plural}", json, CancellationToken.None);
    }
}
