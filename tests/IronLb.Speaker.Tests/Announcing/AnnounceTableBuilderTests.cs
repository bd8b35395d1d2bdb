using IronLb.Core.Allocation;
using IronLb.Core.Announcement;
using IronLb.Speaker.Announcing;

namespace IronLb.Speaker.Tests.Announcing;

/// <summary>Several Services on one address: MetalLB's reference-counted announcer (§4.10) as a table.</summary>
public sealed class AnnounceTableBuilderTests
{
    public static TheoryData<string, string[], string[]> Rows => new()
    {
        // name, decisions as "service:decision:ips:interfaces" ("*" = all, "-" = none), expected rows
        { "one service, one interface", ["a:Announce:192.0.2.1,2001:db8:1::1:eno2"], ["192.0.2.1@eno2", "2001:db8:1::1@eno2"] },
        { "shared address, different interfaces: union", ["a:Announce:192.0.2.1:eno2", "b:Announce:192.0.2.1:eno3"], ["192.0.2.1@eno2,eno3"] },
        { "shared address, one says all: all", ["a:Announce:192.0.2.1:eno2", "b:Announce:192.0.2.1:*"], ["192.0.2.1@*"] },
        { "shared address, one withdrawn: the other keeps it", ["a:NotOwner:192.0.2.1:-", "b:Announce:192.0.2.1:eno2"], ["192.0.2.1@eno2"] },
        { "withdrawn only: nothing", ["a:NotOwner:192.0.2.1:-", "b:NoMatchingAdvertisement:192.0.2.2:-"], [] },
        { "elected but no interface matched: nothing (announceFailed)", ["a:Announce:192.0.2.1:-"], [] },
        { "IPv4-mapped IPv6 is IPv4", ["a:Announce:::ffff:192.0.2.9:eno2"], ["192.0.2.9@eno2"] },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Builds_the_table(string name, string[] decisions, string[] expected)
    {
        var table = AnnounceTableBuilder.Build(decisions.Select(Parse));
        var rows = table.Addresses.Select(ip => table.TryGetInterfaces(ip, out var w) ? $"{ip}@{w}" : "?").Order(StringComparer.Ordinal);
        Assert.True(expected.SequenceEqual(rows), $"{name}: got {string.Join(' ', rows)}");
    }

    // "service:decision:ips:interfaces"; the IPs field may itself contain colons (IPv6), so split from both ends.
    private static ServiceDecision Parse(string text)
    {
        var first = text.IndexOf(':', StringComparison.Ordinal);
        var second = text.IndexOf(':', first + 1);
        var last = text.LastIndexOf(':');
        var decision = Enum.Parse<AnnounceDecision>(text[(first + 1)..second]);
        var interfaces = text[(last + 1)..] switch
        {
            "*" => InterfaceSelection.All,
            "-" => InterfaceSelection.None,
            var names => new InterfaceSelection(false, [.. names.Split(',')]),
        };
        return new ServiceDecision(new ServiceKey("ns", text[..first]), decision, [.. text[(second + 1)..last].Split(',')], interfaces, null);
    }
}
