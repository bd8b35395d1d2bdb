// Shared by the network tests of several projects: compiled into each (tests/Shared is not a project).
namespace IronLb.Testing.Network;

/// <summary>Network tests need root and the kernel's tools; they skip locally without them and fail in CI (CI=true).</summary>
internal static class Requirements
{
    private static readonly string[] Tools = ["ip", "arping", "ndisc6", "tcpdump"];

    public static void RootAndTools()
    {
        var problem = Environment.UserName != "root" && !IsUid0() ? "network tests need root (network namespaces, raw sockets)"
            : Tools.FirstOrDefault(t => !OnPath(t)) is { } missing ? $"network tests need '{missing}' on PATH"
            : null;
        if (problem is null)
        {
            return;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail($"{problem}; CI must not pass by skipping");
        }

        Assert.Skip(problem);
    }

    private static bool IsUid0()
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

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin").Split(':')
            .Append("/usr/sbin").Append("/sbin")
            .Any(d => File.Exists(Path.Combine(d, tool)));
}
