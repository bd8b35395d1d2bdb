using IronLb.Speaker.Membership;

namespace IronLb.Speaker.Tests.Membership;

/// <summary>The delay check's base: the minimum over the last one to two windows.</summary>
public sealed class SlidingMinimumTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    public static TheoryData<string, (int Second, long Value)[], long?> Rows => new()
    {
        { "nothing seen", [], null },
        { "one value", [(0, 50)], 50 },
        { "the smaller within a window", [(0, 50), (30, 40), (59, 45)], 40 },
        { "the previous window still counts", [(0, 40), (61, 60)], 40 },
        { "forgotten after two windows", [(0, 40), (61, 60), (122, 70)], 60 },
        { "a long silence starts over", [(0, 40), (200, 70)], 70 },
        { "a rise followed", [(0, 10), (60, 20), (120, 30), (180, 40)], 30 },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void The_minimum_slides(string why, (int Second, long Value)[] seen, long? expected)
    {
        var minimum = default(SlidingMinimum);
        foreach (var (second, value) in seen)
        {
            minimum.Add(value, TimeSpan.FromSeconds(second), Window);
        }

        Assert.True(expected == minimum.Value, $"{why}: {minimum.Value}");
    }
}
