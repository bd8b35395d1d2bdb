namespace IronLb.Kubernetes.Status;

/// <summary>
/// Where a speaker's ARP and NDP replies come from, per responder, as it publishes them on its
/// ConfigurationState (annotation <see cref="Crds.IronLbAnnotations.Layer2Replies"/>, e.g.
/// <c>eno2/arp=kernel,eno2/ndp=kernel</c>) and as `ironlb status` prints them (<c>kernel: eno2, eno3</c>).
/// Without it, a speaker that fell back to userspace (no CAP_BPF, an old kernel, a seccomp profile refusing
/// bpf(2)) shows it only in its own log and metrics, node by node.
/// </summary>
public static class ReplyPaths
{
    public const string Kernel = "kernel";

    public const string Userspace = "userspace";

    /// <summary>
    /// The annotation's value: every responder ("name/arp", "name/ndp") with its path, sorted; empty when the
    /// node runs no responder.
    /// </summary>
    public static string Format(IEnumerable<string> responders, IEnumerable<string> kernelResponders)
    {
        ArgumentNullException.ThrowIfNull(responders);
        ArgumentNullException.ThrowIfNull(kernelResponders);
        var kernel = kernelResponders.ToHashSet(StringComparer.Ordinal);
        return string.Join(',', responders.Order(StringComparer.Ordinal).Select(r => $"{r}={(kernel.Contains(r) ? Kernel : Userspace)}"));
    }

    /// <summary>The annotation's entries as (responder, path); an entry without "=" keeps its text with path "?".</summary>
    public static IReadOnlyList<(string Responder, string Path)> Parse(string annotation)
    {
        ArgumentNullException.ThrowIfNull(annotation);
        return [.. annotation.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(e => e.Split('=', 2) is [var responder, var path] ? (responder, path) : (e, "?"))];
    }

    /// <summary>
    /// One line for a table: responders grouped by path, an interface named alone when both its protocols
    /// take the same path ("kernel: eno2, eno3; userspace: mgmt0/ndp"). Entries it cannot read are shown
    /// as they are rather than dropped.
    /// </summary>
    public static string Summarize(string annotation)
    {
        var entries = Parse(annotation);
        if (entries.Count == 0)
        {
            return "(no responders)";
        }

        var byInterface = entries
            .GroupBy(e => e.Responder.Split('/')[0], StringComparer.Ordinal)
            .SelectMany(g => g.Select(e => e.Path).Distinct(StringComparer.Ordinal).Count() == 1
                ? [(Name: g.Key, g.First().Path)]
                : g.Select(e => (Name: e.Responder, e.Path)));
        return string.Join("; ", byInterface
            .GroupBy(e => e.Path, StringComparer.Ordinal)
            .OrderBy(g => g.Key == Kernel ? 0 : g.Key == Userspace ? 1 : 2)
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(e => e.Name).Order(StringComparer.Ordinal))}"));
    }
}
