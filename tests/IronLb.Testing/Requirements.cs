namespace IronLb.Testing;

/// <summary>
/// What a test needs from the machine (root, tools on PATH). A test whose need is not met skips with the reason
/// locally and fails when CI=true, so CI never passes by skipping. Each check also makes sure the test carries
/// the category of what it uses, so the fast suite (which leaves the categories out) never runs it by accident.
/// </summary>
public static class Requirements
{
    private static readonly string[] NetworkTools = ["ip", "arping", "ndisc6", "tcpdump"];

    /// <summary>CI=true, as .ci/run and most CI systems set it; compared without regard to case.</summary>
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static bool IsRoot { get; } = ReadIsRoot();

    /// <summary>The one guard: nothing when <paramref name="problem"/> is null; otherwise skip locally, fail in CI.</summary>
    public static void RequireOrFailInCi(string? problem)
    {
        if (problem is null)
        {
            return;
        }

        if (InCi)
        {
            Assert.Fail($"{problem}; CI must not pass by skipping (.ci/run runs as root and installs the tools)");
        }

        Assert.Skip(problem);
    }

    /// <summary>Network tests: root (network namespaces, raw sockets) and the kernel's tools.</summary>
    public static void RootAndTools()
    {
        Category.Require(Category.Root);
        Category.Require(Category.Network);
        RequireOrFailInCi(
            !IsRoot ? "network tests need root (network namespaces, raw sockets)"
            : NetworkTools.FirstOrDefault(t => FindOnPath(t) is null) is { } missing ? $"network tests need '{missing}' on PATH"
            : null);
    }

    /// <summary>Root for something other than the network (switching user, for one).</summary>
    public static void Root(string why)
    {
        Category.Require(Category.Root);
        RequireOrFailInCi(IsRoot ? null : $"{why} needs root");
    }

    /// <summary>A tool on PATH (or in /usr/sbin, /sbin, where root's tools live); returns its path.</summary>
    public static string Tool(string tool, string why)
    {
        var path = FindOnPath(tool);
        RequireOrFailInCi(path is null ? $"{why} needs '{tool}' on PATH" : null);
        return path!;
    }

    /// <summary>The real kubectl (1.32; .ci/run checks that the machine has it).</summary>
    public static void Kubectl()
    {
        Category.Require(Category.Kubectl);
        Tool("kubectl", "the kubectl tests (the real kubectl 1.32)");
    }

    public static string? FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin").Split(':')
            .Where(d => d.Length > 0)
            .Append("/usr/sbin").Append("/sbin")
            .Select(d => Path.Combine(d, tool))
            .FirstOrDefault(File.Exists);

    private static bool ReadIsRoot()
    {
        try
        {
            return File.ReadLines("/proc/self/status").Any(l => l.StartsWith("Uid:", StringComparison.Ordinal) && l.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] == "0");
        }
        catch (IOException)
        {
            return false;
        }
    }
}
