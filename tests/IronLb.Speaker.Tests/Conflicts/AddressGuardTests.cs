using System.Globalization;
using System.Net;
using IronLb.Speaker.Conflicts;

namespace IronLb.Speaker.Tests.Conflicts;

/// <summary>
/// The conflict logic as table rows: who sent what, when, and in which state the address was. Each row is a
/// script of steps ("T: event; event"), and the expected summary of every step: addresses held back, probes to
/// start, defences to send, conflicts started (+) or ended (-), and the next deadline.
/// Events: <c>want A</c> (elected, already known), <c>want+ A</c> (newly assigned: probe first), <c>unwant A</c>,
/// <c>answer A MAC</c> / <c>silent A</c> / <c>fail A</c> (a round finished), <c>claim A MAC</c>, <c>probe A MAC</c>
/// (another host probing), <c>trust MAC</c>. Settings: 3 probes, 1 s first retry doubling to 4 s, defend every 10 s,
/// claims quiet after 30 s. MAC "ironlb" is another IronLB node's.
/// </summary>
public sealed class AddressGuardTests
{
    private const string A = "192.0.2.40";

    public static TheoryData<string, string[], string[]> Rows => new()
    {
        {
            "a new address is probed and announced once nobody answers",
            ["0: want+ A", "0.8: silent A"],
            ["held=A probes=A", "held=-"]
        },
        {
            "a known address (failover) is announced at once, without a probe",
            ["0: want A"],
            ["held=-"]
        },
        {
            "a host answers the probe: held back, reported, re-probed after 1 s",
            ["0: want+ A", "0.8: answer A 02:aa", "1.8: -", "2.6: answer A 02:aa", "4.6: -"],
            ["held=A probes=A", "held=A +InUse(02:aa) next=1.8", "held=A probes=A", "held=A next=4.6", "held=A probes=A"]
        },
        {
            "the back-off doubles up to its maximum and the report is not repeated",
            ["0: want+ A", "0.8: answer A 02:aa", "1.8: -", "2.6: answer A 02:aa", "4.6: -", "5.4: answer A 02:aa", "9.4: -", "10.2: answer A 02:aa"],
            ["held=A probes=A", "held=A +InUse(02:aa) next=1.8", "held=A probes=A", "held=A next=4.6", "held=A probes=A", "held=A next=9.4", "held=A probes=A", "held=A next=14.2"]
        },
        {
            "the other host goes silent: announced, and the conflict ends",
            ["0: want+ A", "0.8: answer A 02:aa", "1.8: -", "2.6: silent A"],
            ["held=A probes=A", "held=A +InUse(02:aa) next=1.8", "held=A probes=A", "held=- -InUse(02:aa)"]
        },
        {
            "another host answers instead: reported again with its MAC",
            ["0: want+ A", "0.8: answer A 02:aa", "1.8: -", "2.6: answer A 02:bb"],
            ["held=A probes=A", "held=A +InUse(02:aa) next=1.8", "held=A probes=A", "held=A +InUse(02:bb) next=4.6"]
        },
        {
            "an IronLB node's answer (the old owner in a hand-over) is not a conflict",
            ["0: trust ironlb; want+ A", "0.8: answer A ironlb"],
            ["held=A probes=A", "held=-"]
        },
        {
            "a host that probes for the same address during our round is a conflict (RFC 5227 2.1.1)",
            ["0: want+ A", "0.3: probe A 02:aa", "0.8: silent A"],
            ["held=A probes=A", "held=A", "held=A +InUse(02:aa) next=1.8"]
        },
        {
            "a round that cannot run announces: a speaker that cannot probe must not black-hole the Service",
            ["0: want+ A", "0.8: fail A"],
            ["held=A probes=A", "held=-"]
        },
        {
            "a claim against an announced address: reported, still announced, defended once",
            ["0: want A", "5: claim A 02:aa", "6: claim A 02:aa", "14.9: claim A 02:aa", "15: claim A 02:aa"],
            ["held=-", "held=- defend=A +Claimed(02:aa) next=35", "held=- next=36", "held=- next=44.9", "held=- defend=A next=45"]
        },
        {
            "a claim goes quiet: the report ends after 30 s without one",
            ["0: want A", "5: claim A 02:aa", "34.9: -", "35: -"],
            ["held=-", "held=- defend=A +Claimed(02:aa) next=35", "held=- next=35", "held=- -Claimed(02:aa)"]
        },
        {
            "another host probing for an announced address is answered by the responders, not reported",
            ["0: want A", "1: probe A 02:aa"],
            ["held=-", "held=-"]
        },
        {
            "an IronLB node's gratuitous ARP for an announced address (it took over) is not a claim",
            ["0: trust ironlb; want A", "1: claim A ironlb"],
            ["held=-", "held=-"]
        },
        {
            "claims for addresses this node does not hold are ignored",
            ["0: want A", "1: claim 192.0.2.41 02:aa"],
            ["held=-", "held=-"]
        },
        {
            "an address no longer elected here is forgotten, and its late result ignored",
            ["0: want+ A", "0.5: unwant A", "0.8: silent A"],
            ["held=A probes=A", "held=-", "held=-"]
        },
        {
            "elected again later as a new address: probed again",
            ["0: want+ A", "0.8: silent A", "1: unwant A", "2: want+ A"],
            ["held=A probes=A", "held=-", "held=-", "held=A probes=A"]
        },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Steps(string name, string[] script, string[] expected)
    {
        _ = name;
        var guard = new AddressGuard(new ConflictSettings { RetryInitial = TimeSpan.FromSeconds(1), RetryMax = TimeSpan.FromSeconds(4) });
        var wants = new Dictionary<string, bool>(StringComparer.Ordinal);
        var actual = new List<string>();
        foreach (var line in script)
        {
            var (at, events) = Split(line);
            var results = new List<ProbeResult>();
            var claims = new List<ObservedClaim>();
            var fresh = new HashSet<string>(StringComparer.Ordinal);
            foreach (var e in events)
            {
                var parts = e.Split(' ');
                var address = parts.Length > 1 ? Ip(parts[1]) : "";
                switch (parts[0])
                {
                    case "want": wants[address] = false; break;
                    case "want+": wants[address] = true; fresh.Add(address); break;
                    case "unwant": wants.Remove(address); break;
                    case "answer": results.Add(new ProbeResult(IPAddress.Parse(address), [new ForeignHost("eno2", parts[2])])); break;
                    case "silent": results.Add(new ProbeResult(IPAddress.Parse(address), [])); break;
                    case "fail": results.Add(new ProbeResult(IPAddress.Parse(address), [], "socket refused")); break;
                    case "claim": claims.Add(new ObservedClaim(IPAddress.Parse(address), new ForeignHost("eno2", parts[2]))); break;
                    case "probe": claims.Add(new ObservedClaim(IPAddress.Parse(address), new ForeignHost("eno2", parts[2]), Probe: true)); break;
                    case "trust": guard.Trust([parts[1]]); break;
                    case "-": break;
                    default: throw new ArgumentException($"unknown event {e}");
                }
            }

            var step = guard.Step(at, [.. wants.Select(w => new AddressWant(IPAddress.Parse(w.Key), ["eno2"], fresh.Contains(w.Key)))], results, claims);
            actual.Add(Summary(step));
        }

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Conflicts_and_gauges_say_what_is_in_force_and_what_was()
    {
        var guard = new AddressGuard(new ConflictSettings());
        var a = IPAddress.Parse(A);
        guard.Step(TimeSpan.Zero, [new AddressWant(a, ["eno2"], MustProbe: true)], [], []);
        guard.Step(TimeSpan.FromSeconds(1), [new AddressWant(a, ["eno2"], false)], [new ProbeResult(a, [new ForeignHost("eno2", "02:aa")])], []);
        Assert.Equal([new AddressConflict(a, ConflictKind.InUse, new ForeignHost("eno2", "02:aa"))], guard.Conflicts);
        Assert.Equal([new ConflictGauge(a, "eno2", Active: true)], guard.Gauges);
        Assert.Contains(a, guard.HeldBack);

        guard.Step(TimeSpan.FromSeconds(2), [new AddressWant(a, ["eno2"], false)], [], []);
        guard.Step(TimeSpan.FromSeconds(3), [new AddressWant(a, ["eno2"], false)], [new ProbeResult(a, [])], []);
        Assert.Empty(guard.Conflicts);
        Assert.Equal([new ConflictGauge(a, "eno2", Active: false)], guard.Gauges);
        Assert.True(guard.Resolved(a));
        Assert.Empty(guard.HeldBack);
    }

    [Fact]
    public void Without_probes_a_new_address_is_announced_at_once_and_claims_are_still_reported()
    {
        var guard = new AddressGuard(new ConflictSettings { ProbeCount = 0 });
        var a = IPAddress.Parse(A);
        var first = guard.Step(TimeSpan.Zero, [new AddressWant(a, ["eno2"], MustProbe: true)], [], []);
        Assert.Empty(first.HeldBack);
        Assert.Empty(first.Probes);
        var claimed = guard.Step(TimeSpan.FromSeconds(1), [new AddressWant(a, ["eno2"], false)], [], [new ObservedClaim(a, new ForeignHost("eno2", "02:aa"))]);
        Assert.Equal([new ConflictChange(a, ConflictKind.Claimed, new ForeignHost("eno2", "02:aa"), Started: true)], claimed.Changes);
    }

    private static (TimeSpan At, string[] Events) Split(string line)
    {
        var colon = line.IndexOf(':', StringComparison.Ordinal);
        var at = TimeSpan.FromSeconds(double.Parse(line[..colon], CultureInfo.InvariantCulture));
        return (at, [.. line[(colon + 1)..].Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]);
    }

    private static string Ip(string text) => text == "A" ? A : text;

    private static string Summary(GuardStep step)
    {
        static string Name(IPAddress a) => a.ToString() == A ? "A" : a.ToString();
        var parts = new List<string> { "held=" + (step.HeldBack.IsEmpty ? "-" : string.Join(',', step.HeldBack.Select(Name).Order())) };
        if (!step.Probes.IsEmpty)
        {
            parts.Add("probes=" + string.Join(',', step.Probes.Select(p => Name(p.Address))));
        }

        if (!step.Defend.IsEmpty)
        {
            parts.Add("defend=" + string.Join(',', step.Defend.Select(d => Name(d.Address))));
        }

        parts.AddRange(step.Changes.Select(c => $"{(c.Started ? '+' : '-')}{c.Kind}({c.Host.Mac})"));
        if (step.NextDeadline is { } next)
        {
            parts.Add("next=" + next.TotalSeconds.ToString(CultureInfo.InvariantCulture));
        }

        return string.Join(' ', parts);
    }
}
