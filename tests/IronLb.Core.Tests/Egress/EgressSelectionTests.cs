using System.Collections.Immutable;
using IronLb.Core.Allocation;
using IronLb.Core.Egress;

namespace IronLb.Core.Tests.Egress;

/// <summary>Which Services ask for egress, and the path per family, as rows.</summary>
public sealed class EgressSelectionTests
{
    public static TheoryData<string, string?, string?, bool> Requests => new()
    {
        // name, type, label value (null: no label), requested
        { "Metaleg's label, true", "LoadBalancer", "true", true },
        { "no label", "LoadBalancer", null, false },
        { "false", "LoadBalancer", "false", false },
        { "anything but exactly true (Metaleg compares the string)", "LoadBalancer", "True", false },
        { "not a LoadBalancer: no address to leave from", "ClusterIP", "true", false },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void Reads_the_label(string name, string? type, string? label, bool requested)
    {
        var view = new ServiceView
        {
            Key = new ServiceKey("mail", "smtpout"),
            Type = type,
            Labels = label is null ? ImmutableDictionary<string, string>.Empty : ImmutableDictionary<string, string>.Empty.Add(EgressSelection.RewriteSourceLabel, label),
        };
        Assert.True(requested == EgressSelection.IsRequested(view), name);
    }

    public static TheoryData<string, string[], string?, string[]> Paths => new()
    {
        // name, ingress addresses, announcer, expected "family address node"
        { "dual-stack: one path per family, IPv4 first", ["2001:db8:3a::587", "192.0.2.193"], "cwn2", ["IPv4 192.0.2.193 cwn2", "IPv6 2001:db8:3a::587 cwn2"] },
        { "the first address of a family is the source", ["192.0.2.193", "192.0.2.194"], "cwn2", ["IPv4 192.0.2.193 cwn2"] },
        { "nobody announces: the paths say so", ["192.0.2.193"], null, ["IPv4 192.0.2.193 -"] },
        { "hostname-only and unreadable entries are skipped", ["", "mail.example", "2001:db8:3a::587"], "cwn1", ["IPv6 2001:db8:3a::587 cwn1"] },
        { "no address: no path", [], "cwn1", [] },
    };

    [Theory]
    [MemberData(nameof(Paths))]
    public void One_path_per_family(string name, string[] ips, string? announcer, string[] expected)
    {
        var paths = EgressSelection.Paths(ips, announcer).Select(p => $"{p.Family} {p.Address} {p.Node ?? "-"}");
        Assert.True(expected.SequenceEqual(paths), $"{name}: got {string.Join(" | ", paths)}");
    }
}
