namespace IronLb.Testing.Network;

/// <summary>iproute2, for building and inspecting our own namespaces (never the host's).</summary>
public static class Ip
{
    /// <summary>Runs <c>ip</c> and throws with its output when it fails, so a topology never half-succeeds silently.</summary>
    public static Task<string> IpAsync(params string[] args) => ProcessRunner.CheckAsync("ip", args);
}
