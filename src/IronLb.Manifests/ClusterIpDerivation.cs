using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using IronLb.Core.Allocation;

namespace IronLb.Manifests;

/// <summary>
/// What the API server does to a new Service on a cluster with the given service families: fill ipFamilies
/// and ipFamilyPolicy and hand out clusterIPs. Core derives the Service's family from clusterIPs (as MetalLB
/// does), and manifests rarely carry them, so plan needs plausible ones. Given clusterIPs always win.
/// </summary>
internal static class ClusterIpDerivation
{
    public const string IPv4 = "IPv4";
    public const string IPv6 = "IPv6";

    /// <summary>The service CIDRs the addresses come from; only their family matters to Core.</summary>
    private static readonly IPAddress IPv4Base = IPAddress.Parse("10.96.0.0");
    private static readonly IPAddress IPv6Base = IPAddress.Parse("fd00:10:96::");

    /// <summary>Result: the families in order, or the reason the API server would refuse the Service.</summary>
    public static (ImmutableArray<string> Families, string? Error) Families(
        IpFamilyPolicy policy, ImmutableArray<string> requested, ImmutableArray<string> clusterFamilies)
    {
        foreach (var family in requested)
        {
            if (!clusterFamilies.Contains(family))
            {
                return ([], $"spec.ipFamilies: {family} is not configured on this cluster (--cluster-families {Describe(clusterFamilies)})");
            }
        }

        switch (policy)
        {
            case IpFamilyPolicy.SingleStack:
                if (requested.Length > 1)
                {
                    return ([], "spec.ipFamilies: SingleStack allows only one family");
                }

                return ([requested.IsEmpty ? clusterFamilies[0] : requested[0]], null);
            case IpFamilyPolicy.RequireDualStack when clusterFamilies.Length < 2:
                return ([], $"spec.ipFamilyPolicy: RequireDualStack on a single-stack cluster (--cluster-families {Describe(clusterFamilies)})");
            default:
                // Requested families first, then the cluster's remaining ones in its order (primary first).
                return ([.. requested, .. clusterFamilies.Where(f => !requested.Contains(f))], null);
        }
    }

    /// <summary>A deterministic address per Service and family, so repeated runs print the same thing.</summary>
    public static string ClusterIp(ServiceKey key, string family)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{key.Namespace}/{key.Name}"), hash);
        // Skip .0.0 and .0.1 (the network and the kubernetes Service) in a /16 or /112.
        var offset = (BinaryPrimitives.ReadUInt16BigEndian(hash) % 65534) + 2;
        var bytes = (family == IPv4 ? IPv4Base : IPv6Base).GetAddressBytes();
        bytes[^2] = (byte)(offset >> 8);
        bytes[^1] = (byte)offset;
        return new IPAddress(bytes).ToString();
    }

    public static string Describe(ImmutableArray<string> families) =>
        string.Join(',', families.Select(f => f == IPv4 ? "ipv4" : "ipv6"));
}
