using IronLb.Core.Allocation;

namespace IronLb.Core.Tests.Allocation;

/// <summary>The one replay order: holders of an address first, then the oldest, then namespace and name.</summary>
public sealed class ReplayOrderTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.UnixEpoch;

    public sealed record OrderCase(string Desc, ServiceView[] Services, string[] Expected)
    {
        public override string ToString() => Desc;
    }

    private static ServiceView S(string key, int? second = null, params string[] ingress)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return new ServiceView
        {
            Key = new ServiceKey(key[..slash], key[(slash + 1)..]),
            CreationTimestamp = second is { } s ? T0.AddSeconds(s) : null,
            IngressIps = [.. ingress],
        };
    }

    public static TheoryData<OrderCase> Cases =>
    [
        new OrderCase("a holder goes before an older pending Service", [S("a/old", 0), S("b/holder", 9, "192.0.2.1")], ["b/holder", "a/old"]),
        new OrderCase("holders among themselves: oldest first, not most addresses first", [S("a/dual", 5, "192.0.2.1", "2001:db8::1"), S("b/single", 1, "192.0.2.2")], ["b/single", "a/dual"]),
        new OrderCase("a hostname-only status holds no address", [S("a/host", 0, ""), S("b/ip", 5, "192.0.2.1")], ["b/ip", "a/host"]),
        new OrderCase("pending: oldest first", [S("a/young", 3), S("z/old", 1)], ["z/old", "a/young"]),
        new OrderCase("same second: namespace, then name", [S("b/a", 1), S("a/z", 1), S("a/b", 1)], ["a/b", "a/z", "b/a"]),
        new OrderCase("no timestamp goes last", [S("a/unknown"), S("z/known", 7)], ["z/known", "a/unknown"]),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Orders(OrderCase row)
    {
        Assert.Equal(row.Expected, ReplayOrder.Sort(row.Services).Select(s => s.Key.ToString()));

        // The order is a function of the set, not of how it arrived.
        Assert.Equal(row.Expected, ReplayOrder.Sort(row.Services.Reverse()).Select(s => s.Key.ToString()));
    }
}
