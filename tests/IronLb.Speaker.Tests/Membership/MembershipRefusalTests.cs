using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using IronLb.Speaker.Membership;
using IronLb.Speaker.Membership.Ring;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace IronLb.Speaker.Tests.Membership;

/// <summary>Every refusal counted per reason on the speaker's meter (and the ring's stalls and new incarnations); refusals logged at most once per reason per 10 s.</summary>
public sealed class MembershipRefusalTests
{
    private static readonly IPEndPoint From = new(IPAddress.Parse("198.51.100.66"), 7947);

    [Fact]
    public void Refusals_are_counted_per_reason_and_exported_on_the_speakers_meter()
    {
        var counters = new MembershipCounters();
        for (var i = 0; i < 5; i++)
        {
            counters.Count(ReceiveOutcome.UnknownSource);
        }

        counters.Count(ReceiveOutcome.RateLimited);
        counters.Count(ReceiveOutcome.BadMac);
        counters.Count(ReceiveOutcome.Accepted);
        counters.Count(ReceiveOutcome.Accepted);

        var seen = Observe(counters);

        Assert.Equal(2, seen["ironlb_membership_accepted_total"]);
        Assert.Equal(5, seen["ironlb_membership_refused_total{reason=UnknownSource}"]);
        Assert.Equal(1, seen["ironlb_membership_refused_total{reason=RateLimited}"]);
        Assert.Equal(1, seen["ironlb_membership_refused_total{reason=BadMac}"]);

        // Every reason has a series from the start; Accepted is not a refusal.
        Assert.Equal(0, seen["ironlb_membership_refused_total{reason=Oversized}"]);
        Assert.Equal(Enum.GetValues<ReceiveOutcome>().Length - 1, seen.Keys.Count(k => k.StartsWith("ironlb_membership_refused_total", StringComparison.Ordinal)));
        Assert.DoesNotContain("ironlb_membership_refused_total{reason=Accepted}", seen.Keys);
    }

    [Fact]
    public void The_rings_stalls_and_new_incarnations_by_cause_are_exported_on_the_speakers_meter()
    {
        var counters = new MembershipCounters { Stalls = 3 };
        counters.CountNewIncarnation(RingIncarnationCause.FenceLapsed);
        counters.CountNewIncarnation(RingIncarnationCause.FenceLapsed);
        counters.CountNewIncarnation(RingIncarnationCause.EndedByOthers);
        counters.CountNewIncarnation(RingIncarnationCause.Started);

        var seen = Observe(counters);

        Assert.Equal(3, seen["ironlb_membership_stalls_total"]);
        Assert.Equal(2, seen["ironlb_membership_new_incarnations_total{cause=FenceLapsed}"]);
        Assert.Equal(1, seen["ironlb_membership_new_incarnations_total{cause=EndedByOthers}"]);
        // The process's own start is no event to alert on: it has no series.
        Assert.DoesNotContain("ironlb_membership_new_incarnations_total{cause=Started}", seen.Keys);
    }

    [Fact]
    public void A_flood_of_refusals_writes_one_line_per_reason_per_period_with_the_count()
    {
        var time = new FakeTimeProvider();
        var logger = new LinesLogger();
        var log = new RefusalLog(logger, time);

        // 10,000 refusals a second for 25 s, and a replay now and then.
        for (var ms = 0; ms < 25_000; ms++)
        {
            for (var i = 0; i < 10; i++)
            {
                log.Refused(ReceiveOutcome.UnknownSource, From);
            }

            if (ms % 1_000 == 0)
            {
                log.Refused(ReceiveOutcome.Replayed, From);
            }

            time.Advance(TimeSpan.FromMilliseconds(1));
            if (ms % 25 == 0)
            {
                log.Flush();
            }
        }

        time.Advance(TimeSpan.FromSeconds(10));
        log.Flush();

        var flood = logger.Lines.Where(l => l.Message.Contains("UnknownSource", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, flood.Count); // at 0 s, 10 s, 20 s, and the rest once the period after 20 s is over
        Assert.All(flood, l => Assert.Equal(LogLevel.Warning, l.Level));
        Assert.Equal(250_000, flood.Sum(l => CountIn(l.Message)));
        Assert.Contains("198.51.100.66:7947", flood[0].Message, StringComparison.Ordinal);

        // A protocol-normal reason is its own line, at Debug.
        var replays = logger.Lines.Where(l => l.Message.Contains("Replayed", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, replays.Count);
        Assert.All(replays, l => Assert.Equal(LogLevel.Debug, l.Level));
        Assert.Equal(25, replays.Sum(l => CountIn(l.Message)));
    }

    [Fact]
    public void A_single_refusal_is_logged_at_once()
    {
        var logger = new LinesLogger();
        new RefusalLog(logger, new FakeTimeProvider()).Refused(ReceiveOutcome.BadMac, From);

        var line = Assert.Single(logger.Lines);
        Assert.StartsWith("Membership refused 1 datagram(s) as BadMac", line.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(nameof(ReceiveOutcome.UnknownSource), true)]
    [InlineData(nameof(ReceiveOutcome.RateLimited), true)]
    [InlineData(nameof(ReceiveOutcome.Oversized), true)]
    [InlineData(nameof(ReceiveOutcome.Malformed), true)]
    [InlineData(nameof(ReceiveOutcome.BadMagic), true)]
    [InlineData(nameof(ReceiveOutcome.BadMac), true)]
    [InlineData(nameof(ReceiveOutcome.UnsupportedVersion), false)] // a rolling upgrade between protocol versions
    [InlineData(nameof(ReceiveOutcome.FromSelf), false)]
    [InlineData(nameof(ReceiveOutcome.UnknownSender), false)]
    [InlineData(nameof(ReceiveOutcome.Replayed), false)]
    [InlineData(nameof(ReceiveOutcome.StaleIncarnation), false)]
    [InlineData(nameof(ReceiveOutcome.Delayed), false)]
    [InlineData(nameof(ReceiveOutcome.AfterGoodbye), false)]
    public void Only_traffic_no_speaker_sends_is_a_warning(string reason, bool warning)
    {
        Assert.Equal(warning, RefusalLog.Unexpected(Enum.Parse<ReceiveOutcome>(reason)));
    }

    /// <summary>Every <c>ironlb_membership_*</c> series the speaker's meter exports for <paramref name="counters"/>, by name and labels.</summary>
    private static ConcurrentDictionary<string, long> Observe(MembershipCounters counters)
    {
        // Our own meter only: other tests in this process run speakers with the same meter name.
        using var meters = new ScopedMeters();
        using var metrics = new SpeakerMetrics("node1", () => null, membership: counters, meterFactory: meters);
        var seen = new ConcurrentDictionary<string, long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Name.StartsWith("ironlb_membership_", StringComparison.Ordinal))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            seen[instrument.Name + string.Concat(tags.ToArray().Select(t => $"{{{t.Key}={t.Value}}}"))] = value);
        listener.Start();
        listener.RecordObservableInstruments();
        return seen;
    }

    private static long CountIn(string message) =>
        long.Parse(message.Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture);


    private sealed class LinesLogger : ILogger
    {
        public ConcurrentQueue<(LogLevel Level, string Message)> Lines { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Enqueue((logLevel, formatter(state, exception)));
    }
}
