namespace IronLb.Bench.L2Latency;

/// <summary>
/// The addresses of the bench's two namespaces, all documentation prefixes: on the node's eno2 one the
/// kernel owns and one IronLB announces, per family, and the client's own.
/// </summary>
internal static class L2Addresses
{
    public const string KernelV4 = "192.0.2.11";
    public const string OursV4 = "192.0.2.100";
    public const string KernelV6 = "2001:db8:2::11";
    public const string OursV6 = "2001:db8:2::100";
    public const string ClientV6 = "2001:db8:2::1";
}
