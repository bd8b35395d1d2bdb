using IronLb.Kubernetes.Status;
using k8s.Models;

namespace IronLb.Kubernetes.Tests.Status;

/// <summary>
/// The ServiceL2Status conditions' merge and change check (#16). Rows write conditions as
/// <c>Type=Status/Reason/Message@second</c> (the second of a fixed day; no @ means no time), lists joined by <c>|</c>;
/// "now" is second 100.
/// </summary>
public sealed class ServiceL2ConditionsTests
{
    private const string InUse = "AddressConflict=True/AddressInUse/192.0.2.40 on eno2 is in use by 02:42:ac:11:00:02; not announced";
    private const string Claimed = "AddressConflict=True/AddressClaimed/192.0.2.40 on eno2 is claimed by 02:42:ac:11:00:02; defended";
    private const string Ended = "AddressConflict=False/NoConflict/192.0.2.40 on eno2 is answered only by this node";

    private static readonly DateTime Day = new(2026, 12, 6, 22, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData("a first conflict is stamped now", "", InUse, InUse + "@100")]
    [InlineData("no existing list at all is the same", null, InUse, InUse + "@100")]
    [InlineData("the same condition again keeps its time", InUse + "@10", InUse, InUse + "@10")]
    [InlineData("a new reason and message with the same status keep the time", InUse + "@10", Claimed, Claimed + "@10")]
    [InlineData("the conflict ending flips the status: now", InUse + "@10", Ended, Ended + "@100")]
    [InlineData("a conflict again after it ended: now", Ended + "@10", InUse, InUse + "@100")]
    [InlineData("an existing condition without a time gets one", InUse, InUse, InUse + "@100")]
    [InlineData("other types stay where they are; the desired type replaces its own in place", "Other=True/Why/m@5|" + InUse + "@10|Last=False/Why/n@7", Ended, "Other=True/Why/m@5|" + Ended + "@100|Last=False/Why/n@7")]
    [InlineData("a new type is appended", "Other=True/Why/m@5", InUse, "Other=True/Why/m@5|" + InUse + "@100")]
    [InlineData("nothing desired leaves the existing list as it is", InUse + "@10", "", InUse + "@10")]
    [InlineData("nothing anywhere is nothing", null, "", "")]
    [InlineData("a null reason and message become empty (the schema requires both)", "", "AddressConflict=Unknown/~/~", "AddressConflict=Unknown//@100")]
    public void Merge_keeps_the_transition_time_while_the_status_holds(string desc, string? existing, string desired, string expected)
    {
        Assert.NotEmpty(desc);
        var merged = ServiceL2Conditions.Merge(existing is null ? null : Parse(existing), Parse(desired), Day.AddSeconds(100));
        Assert.Equal(expected, Show(merged));
    }

    [Theory]
    [InlineData("nothing and nothing", null, "", false)]
    [InlineData("a first condition", null, InUse, true)]
    [InlineData("a first condition on an empty list", "", InUse, true)]
    [InlineData("the same condition", InUse + "@10", InUse, false)]
    [InlineData("the status flips", InUse + "@10", Ended, true)]
    [InlineData("the reason changes", InUse + "@10", "AddressConflict=True/AddressClaimed/192.0.2.40 on eno2 is in use by 02:42:ac:11:00:02; not announced", true)]
    [InlineData("the message changes", InUse + "@10", "AddressConflict=True/AddressInUse/192.0.2.40 on eno2 is in use by 02:42:ac:11:00:03; not announced", true)]
    [InlineData("the order does not matter", "Other=True/Why/m@5|" + InUse + "@10", InUse + "|Other=True/Why/m", false)]
    [InlineData("an existing type not desired is kept by the merge, so no change", "Other=True/Why/m@5|" + InUse + "@10", InUse, false)]
    [InlineData("nothing desired changes nothing", InUse + "@10", "", false)]
    [InlineData("a missing message is the empty one", "AddressConflict=False/NoConflict/~@10", "AddressConflict=False/NoConflict/", false)]
    public void Differ_says_whether_the_merge_would_change_type_status_reason_or_message(string desc, string? existing, string desired, bool differ)
    {
        Assert.NotEmpty(desc);
        Assert.Equal(differ, ServiceL2Conditions.Differ(existing is null ? null : Parse(existing), Parse(desired)));
    }

    [Theory]
    [InlineData("after a flip", InUse + "@10", Ended)]
    [InlineData("with another type beside", "Other=True/Why/m@5|" + InUse + "@10", Claimed)]
    [InlineData("first", "", InUse)]
    public void After_a_merge_the_same_desire_differs_no_more(string desc, string existing, string desired)
    {
        Assert.NotEmpty(desc);
        var merged = ServiceL2Conditions.Merge(Parse(existing), Parse(desired), Day.AddSeconds(100));
        Assert.False(ServiceL2Conditions.Differ(merged, Parse(desired)));
    }

    [Fact]
    public void Now_is_written_in_whole_seconds_utc_as_the_api_server_keeps_it()
    {
        var now = new DateTimeOffset(2026, 12, 6, 23, 30, 15, TimeSpan.FromHours(1)).AddTicks(1234567);
        var local = ServiceL2Conditions.Merge(null, Parse(InUse), now.LocalDateTime);
        var unspecified = ServiceL2Conditions.Merge(null, Parse(InUse), DateTime.SpecifyKind(now.UtcDateTime, DateTimeKind.Unspecified));

        foreach (var stamp in new[] { local[0].LastTransitionTime, unspecified[0].LastTransitionTime })
        {
            Assert.Equal(new DateTime(2026, 12, 6, 22, 30, 15, DateTimeKind.Utc), stamp);
            Assert.Equal(DateTimeKind.Utc, stamp.Kind);
        }
    }

    [Fact]
    public void The_result_shares_no_condition_with_the_caller_s_lists()
    {
        var existing = Parse("Other=True/Why/m@5|" + InUse + "@10");
        var desired = Parse(Claimed);
        var merged = ServiceL2Conditions.Merge(existing, desired, Day);

        // The wire types are records: equal values are fine, shared objects are not.
        Assert.DoesNotContain(merged, c => existing.Concat(desired).Any(o => ReferenceEquals(o, c)));
        merged[0].Message = "changed";
        Assert.Equal("m", existing[0].Message);
    }

    /// <summary>"Type=Status/Reason/Message@second"; "~" is a null reason or message.</summary>
    private static List<V1Condition> Parse(string list) =>
    [
        .. list.Split('|', StringSplitOptions.RemoveEmptyEntries).Select(item =>
        {
            var (body, time) = item.Split('@') is [var b, var t] ? (b, Day.AddSeconds(int.Parse(t, System.Globalization.CultureInfo.InvariantCulture))) : (item, default);
            var type = body[..body.IndexOf('=', StringComparison.Ordinal)];
            var parts = body[(type.Length + 1)..].Split('/', 3);
            return new V1Condition
            {
                Type = type,
                Status = parts[0],
                Reason = parts[1] == "~" ? null : parts[1],
                Message = parts[2] == "~" ? null : parts[2],
                LastTransitionTime = time,
            };
        }),
    ];

    private static string Show(List<V1Condition> conditions) =>
        string.Join('|', conditions.Select(c =>
            $"{c.Type}={c.Status}/{c.Reason ?? "~"}/{c.Message ?? "~"}" +
            (c.LastTransitionTime == default ? "" : $"@{(int)(c.LastTransitionTime - Day).TotalSeconds}")));
}
