using IronLb.Lab.Routers;

namespace IronLb.Bgp.Interop.Tests;

/// <summary>Root, the kernel's tools, and the routing suites a test starts (.ci/run installs Debian's frr and bird2).</summary>
internal static class RouterRequirements
{
    public static void Need(params string[] software)
    {
        Requirements.RootAndTools();
        foreach (var s in software.Distinct())
        {
            if (s == "frr")
            {
                Requirements.RequireOrFailInCi(File.Exists(Path.Combine(FrrRouter.DaemonDirectory, "bgpd")) && File.Exists(Path.Combine(FrrRouter.DaemonDirectory, "zebra"))
                    ? null : $"the router tests need FRR's daemons in {FrrRouter.DaemonDirectory} (Debian package frr)");
                Requirements.Tool("vtysh", "the FRR router tests");
            }
            else
            {
                Requirements.Tool("bird", "the BIRD router tests (Debian package bird2)");
                Requirements.Tool("birdc", "the BIRD router tests (Debian package bird2)");
            }
        }
    }
}
