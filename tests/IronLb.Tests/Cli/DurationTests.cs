using CsCheck;
using IronLb.CommandLine;

namespace IronLb.Tests.Cli;

/// <summary>The one duration parser every flag uses: Go's grammar (no sign), total, and a ToString it reads back.</summary>
public sealed class DurationTests
{
    public static TheoryData<string, TimeSpan> Accepted { get; } = new()
    {
        { "0", TimeSpan.Zero },
        { "0s", TimeSpan.Zero },
        { "500ms", TimeSpan.FromMilliseconds(500) },
        { "15s", TimeSpan.FromSeconds(15) },
        { "2m", TimeSpan.FromMinutes(2) },
        { "1h", TimeSpan.FromHours(1) },
        { "1h30m", TimeSpan.FromMinutes(90) },
        { "1.5s", TimeSpan.FromMilliseconds(1500) },
        { ".5s", TimeSpan.FromMilliseconds(500) },
        { "5.s", TimeSpan.FromSeconds(5) },
        { "1m30s", TimeSpan.FromSeconds(90) },
        { "1s500ms", TimeSpan.FromMilliseconds(1500) },
        { "90m", TimeSpan.FromMinutes(90) },
        { "250us", TimeSpan.FromMicroseconds(250) },
        { "250\u00b5s", TimeSpan.FromMicroseconds(250) },
        { "250\u03bcs", TimeSpan.FromMicroseconds(250) },
        { "100ns", TimeSpan.FromTicks(1) },
        { "149ns", TimeSpan.FromTicks(1) }, // finer than a tick: the nearest tick
        { "150ns", TimeSpan.FromTicks(2) },
        { "0.1ms", TimeSpan.FromMicroseconds(100) },
        { "2562047h", TimeSpan.FromHours(2562047) },
    };

    public static TheoryData<string?, string> Rejected { get; } = new()
    {
        { null, "nothing" },
        { "", "empty" },
        { "15", "a number without a unit (only 0 may go without)" },
        { "0.0", "zero written as a decimal without a unit" },
        { "00:00:00.2", ".NET's TimeSpan form" },
        { "00:00:15", ".NET's TimeSpan form" },
        { "-1s", "negative" },
        { "+1s", "signed" },
        { "1 s", "a space inside" },
        { " 1s", "a leading space" },
        { "1s ", "a trailing space" },
        { "1S", "an upper-case unit" },
        { "1sec", "a unit Go does not know" },
        { "1d", "days (Go has none)" },
        { "s", "a unit without a number" },
        { ".s", "a point without digits" },
        { "1.2.3s", "two points" },
        { "1e3ms", "an exponent" },
        { "1,5s", "a decimal comma" },
        { "PT15S", "ISO 8601" },
        { "soon", "a word" },
        { "99999999999999999999h", "longer than TimeSpan.MaxValue" },
        { "1" + new string('0', 40) + "ns", "more digits than decimal holds" },
    };

    public static TheoryData<TimeSpan, string> Written { get; } = new()
    {
        { TimeSpan.Zero, "0s" },
        { TimeSpan.FromMilliseconds(100), "100ms" },
        { TimeSpan.FromMilliseconds(1500), "1.5s" },
        { TimeSpan.FromSeconds(5), "5s" },
        { TimeSpan.FromSeconds(15), "15s" },
        { TimeSpan.FromMinutes(2), "2m" },
        { TimeSpan.FromSeconds(90), "1m30s" },
        { TimeSpan.FromMinutes(90), "1h30m" },
        { TimeSpan.FromHours(1) + TimeSpan.FromMilliseconds(500), "1h0.5s" },
        { TimeSpan.FromMicroseconds(250), "250us" },
        { TimeSpan.FromTicks(1), "100ns" },
        { TimeSpan.FromTicks(15), "1.5us" },
        { TimeSpan.FromMilliseconds(1.25), "1.25ms" },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Go_durations_are_read(string text, TimeSpan expected)
    {
        Assert.True(Duration.TryParse(text, out var duration));
        Assert.Equal(expected, duration.TimeSpan);
    }

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Every_other_form_is_rejected_without_throwing(string? text, string why)
    {
        Assert.False(Duration.TryParse(text, out var duration), why);
        Assert.Equal(default, duration);
    }

    [Theory]
    [MemberData(nameof(Written))]
    public void Durations_are_written_as_a_user_types_them(TimeSpan value, string expected) =>
        Assert.Equal(expected, new Duration(value).ToString());

    [Fact]
    public void What_is_written_reads_back_as_the_same_duration() =>
        Gen.Long[0, TimeSpan.MaxValue.Ticks].Select(TimeSpan.FromTicks)
            .Sample(value => Duration.TryParse(new Duration(value).ToString(), out var read) && read.TimeSpan == value);

    [Fact]
    public void Any_text_is_answered_without_an_exception() =>
        Gen.String[Gen.Char["0123456789.hmsunµ-+ :"], 0, 12]
            .Sample(text => { _ = Duration.TryParse(text, out _); });
}
