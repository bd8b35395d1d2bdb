using IronLb.Speaker.Membership.Ring;

namespace IronLb.Speaker.Tests.Membership.Ring;

public sealed class VerdictRuleTests
{
    private const ulong Subject = 100;
    private static readonly ulong[] Observers = [1, 2, 3, 4];
    private static readonly TimeSpan W = TimeSpan.FromMilliseconds(400);
    private static readonly TimeSpan T0 = TimeSpan.FromSeconds(10);

    private static Observation Down(ulong incarnation) => new(Subject, incarnation, 0, Opinion.Down);

    private static Observation Up(ulong incarnation, uint generation, bool eligible = true) =>
        new(Subject, incarnation, generation, eligible ? Opinion.UpEligible : Opinion.UpIneligible);

    public static TheoryData<string, string> Rows => new()
    {
        { "two downs", "none" },
        { "three downs", nameof(VerdictKind.Dead) },
        { "four downs", nameof(VerdictKind.Dead) },
        { "three downs, one withdrawn", "none" },
        { "three downs, one older than W", "none" },
        { "three downs on two incarnations", "none" },
        { "three downs, one from a non-observer", "none" },
        { "three ups", nameof(VerdictKind.Alive) },
        { "three ups on two generations", "none" },
        { "two ups and a down", "none" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void A_verdict_needs_three_fresh_matching_observations_from_observers(string row, string expected)
    {
        var tally = new ObservationTally();
        switch (row)
        {
            case "two downs":
                Record(tally, (1, Down(5)), (2, Down(5)));
                break;
            case "three downs":
                Record(tally, (1, Down(5)), (2, Down(5)), (3, Down(5)));
                break;
            case "four downs":
                Record(tally, (1, Down(5)), (2, Down(5)), (3, Down(5)), (4, Down(5)));
                break;
            case "three downs, one withdrawn":
                Record(tally, (1, Down(5)), (2, Down(5)), (3, Down(5)));
                tally.Withdraw(Subject, 2);
                break;
            case "three downs, one older than W":
                Record(tally, (1, Down(5)), (2, Down(5)));
                tally.Record(3, Down(5), T0 - W);
                break;
            case "three downs on two incarnations":
                Record(tally, (1, Down(5)), (2, Down(5)), (3, Down(4)));
                break;
            case "three downs, one from a non-observer":
                Record(tally, (1, Down(5)), (2, Down(5)), (77, Down(5)));
                break;
            case "three ups":
                Record(tally, (1, Up(5, 2)), (2, Up(5, 2)), (4, Up(5, 2)));
                break;
            case "three ups on two generations":
                Record(tally, (1, Up(5, 2)), (2, Up(5, 2)), (4, Up(5, 3)));
                break;
            case "two ups and a down":
                Record(tally, (1, Up(5, 2)), (2, Up(5, 2)), (4, Down(5)));
                break;
        }

        var verdict = tally.TryVerdict(Subject, Observers, quorum: 3, T0, W, downs: true)
            ?? tally.TryVerdict(Subject, Observers, quorum: 3, T0, W, downs: false);

        Assert.Equal(expected, verdict?.Kind.ToString() ?? "none");
        if (verdict is not null)
        {
            Assert.Equal(5UL, verdict.Incarnation);
            Assert.True(verdict.Witnesses.Length >= 3);
            Assert.All(verdict.Witnesses, w => Assert.Contains(w, Observers));
        }
    }

    public static TheoryData<string, bool> CorrelatedRows => new()
    {
        // row, verdict expected; observers 1-4, "silent" = gone from the rounds, "aged" = held past the delay
        { "two aged downs, two silent observers", true },
        { "one aged down, two silent observers", true },
        { "one aged down, one silent observer", false },
        { "two young downs, two silent observers", false },
        { "two aged downs, one silent, one up", false },
        { "two aged downs, two observers not silent", false },
        { "no down, four silent observers", false },
        { "aged downs on two incarnations, two silent", false },
    };

    [Theory]
    [MemberData(nameof(CorrelatedRows))]
    public void A_correlated_verdict_counts_silent_observers_only_next_to_downs_held_long_enough(string row, bool expected)
    {
        var held = TimeSpan.FromSeconds(4);
        var tally = new ObservationTally();
        HashSet<ulong> silent = [3, 4];
        void Aged(ulong observer, ulong incarnation = 5)
        {
            tally.Record(observer, Down(incarnation), T0 - held - TimeSpan.FromSeconds(1));
            tally.Record(observer, Down(incarnation), T0 - TimeSpan.FromMilliseconds(50));
        }

        switch (row)
        {
            case "two aged downs, two silent observers":
                Aged(1);
                Aged(2);
                break;
            case "one aged down, two silent observers":
                Aged(1);
                silent = [2, 3];
                break;
            case "one aged down, one silent observer":
                Aged(1);
                silent = [3];
                break;
            case "two young downs, two silent observers":
                Record(tally, (1, Down(5)), (2, Down(5)));
                break;
            case "two aged downs, one silent, one up":
                Aged(1);
                Aged(2);
                Record(tally, (4, Up(5, 0)));
                break;
            case "two aged downs, two observers not silent":
                Aged(1);
                Aged(2);
                silent = [];
                break;
            case "no down, four silent observers":
                silent = [1, 2, 3, 4];
                break;
            case "aged downs on two incarnations, two silent":
                Aged(1);
                Aged(2, incarnation: 4);
                break;
        }

        var verdict = tally.TryCorrelatedVerdict(Subject, Observers, quorum: 3, T0, W, held, silent.Contains);

        Assert.Equal(expected, verdict is not null);
        if (verdict is not null)
        {
            Assert.Equal(VerdictKind.Dead, verdict.Kind);
            Assert.Equal(5UL, verdict.Incarnation);
            Assert.True(verdict.Witnesses.Length >= 3);
        }
    }

    [Fact]
    public void A_stale_incarnation_verdict_changes_nothing()
    {
        var book = new VerdictBook(1);
        Assert.True(book.Apply(0, new Verdict(Subject, 6, 0, VerdictKind.Alive, true, [1, 2, 3])));
        var digest = book.Digest;

        Assert.False(book.Apply(0, new Verdict(Subject, 5, uint.MaxValue, VerdictKind.Dead, false, [1, 2, 3])));
        Assert.Equal(digest, book.Digest);
        Assert.True(book.IsElectable(0));
    }

    public static TheoryData<string, string, bool> Ranks => new()
    {
        // held, incoming, replaces
        { "alive 1/0", "alive 1/1", true },
        { "alive 1/1", "alive 1/0", false },
        { "alive 1/5", "dead 1", true },
        { "dead 1", "alive 1/9", false },
        { "dead 1", "alive 2/0", true },
        { "left 2", "dead 2", false },
        { "alive 1/0", "alive 1/0", false },
    };

    [Theory]
    [MemberData(nameof(Ranks))]
    public void Verdicts_are_ranked_by_incarnation_then_generation_and_an_end_beats_any_generation(string held, string incoming, bool replaces)
    {
        var book = new VerdictBook(1);
        book.Apply(0, Parse(held));

        Assert.Equal(replaces, book.Apply(0, Parse(incoming)));
    }

    [Fact]
    public void The_digest_does_not_depend_on_the_order_verdicts_arrived_in()
    {
        var verdicts = Enumerable.Range(0, 20).Select(i => new Verdict((ulong)i, 1, 0, VerdictKind.Alive, i % 3 != 0, [7, 8, 9])).ToList();
        var a = new VerdictBook(20);
        var b = new VerdictBook(20);
        for (var i = 0; i < 20; i++)
        {
            a.Apply(i, verdicts[i]);
            b.Apply(19 - i, verdicts[19 - i]);
        }

        Assert.Equal(a.Digest, b.Digest);
        b.Apply(3, verdicts[3] with { Kind = VerdictKind.Dead, Generation = uint.MaxValue });
        Assert.NotEqual(a.Digest, b.Digest);
    }

    private static void Record(ObservationTally tally, params (ulong Observer, Observation Item)[] entries)
    {
        foreach (var (observer, item) in entries)
        {
            tally.Record(observer, item, T0 - TimeSpan.FromMilliseconds(50));
        }
    }

    private static Verdict Parse(string text)
    {
        var parts = text.Split(' ', '/');
        var incarnation = ulong.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        return parts[0] switch
        {
            "alive" => new Verdict(Subject, incarnation, uint.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture), VerdictKind.Alive, true, [1, 2, 3]),
            "dead" => new Verdict(Subject, incarnation, uint.MaxValue, VerdictKind.Dead, false, [1, 2, 3]),
            _ => new Verdict(Subject, incarnation, uint.MaxValue, VerdictKind.Left, false, [Subject]),
        };
    }
}
