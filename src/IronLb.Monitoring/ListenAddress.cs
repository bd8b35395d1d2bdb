using System.Net;
using System.Net.Sockets;

namespace IronLb.Monitoring;

/// <summary>
/// Where the metrics and health endpoints listen when their flag is not given: on one address, never on
/// every interface. Kubernetes probes and Prometheus both reach a pod at its pod IP (for the host-network
/// speaker, the node's address), so that is the default; deploy/ passes it as $METALLB_HOST (MetalLB's
/// variable, from status.podIP or status.hostIP). A flag given explicitly is used as it is: ":7472" still
/// means every interface, as in Go, and "" still disables the endpoint.
/// </summary>
public static class ListenAddress
{
    /// <summary>The environment variable naming the address to serve on (MetalLB's speaker reads the same).</summary>
    public const string HostVariable = "METALLB_HOST";

    /// <summary>"[host]:port" as the address flags take it (IPv6 in brackets).</summary>
    public static string Format(IPAddress host, int port)
    {
        ArgumentNullException.ThrowIfNull(host);
        return host.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{host}]:{port}" : $"{host}:{port}";
    }

    /// <summary>The flag's value when given, otherwise <paramref name="port"/> on <paramref name="host"/>.</summary>
    public static string Resolve(string? given, IPAddress host, int port) => given ?? Format(host, port);

    /// <summary>
    /// The host from $METALLB_HOST's value: null when unset or empty; an error naming the variable when it is
    /// not an IP address (a host name would make the listen address depend on DNS at start).
    /// </summary>
    public static IPAddress? FromEnvironment(string? value, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (IPAddress.TryParse(value.Trim(), out var address))
        {
            return address;
        }

        error = $"${HostVariable} must be an IP address, not \"{value}\"";
        return null;
    }
}
