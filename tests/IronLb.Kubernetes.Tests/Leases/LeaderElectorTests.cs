using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Informers;
using IronLb.Kubernetes.Leases;
using IronLb.Kubernetes.Tests.Support;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace IronLb.Kubernetes.Tests.Leases;

/// <summary>
/// Fenced leader election against KubeSim over HTTP, in virtual time that moves only when the test moves it:
/// a leader's term runs to (send time of its last successful renewal) + renew deadline and ends exactly then
/// whatever the API does (black hole, lease taken); each attempt against a black hole times out on its own;
/// writes through the term's fence are refused after it and cancelled in flight; another replica takes over
/// only after the lease duration from the renewal it saw, later than the old leader's last write could land.
/// </summary>
public sealed class LeaderElectorTests
{
    private static readonly LeaseSettings Settings = new("metallb-system", "ironlb-controller", "replica-a",
        LeaseDuration: TimeSpan.FromSeconds(15), RenewDeadline: TimeSpan.FromSeconds(10), RetryPeriod: TimeSpan.FromSeconds(2));

    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(50);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static TheoryData<LeaseSettings, string?> Timings => new()
    {
        { Settings, null },
        { Settings with { RetryPeriod = TimeSpan.FromSeconds(10) }, "retry period (10 s) must be shorter than the renew deadline" },
        { Settings with { AttemptTimeout = TimeSpan.FromSeconds(10) }, "renew attempt timeout (10 s) must be shorter than the renew deadline" },
        { Settings with { WriteTimeout = TimeSpan.FromSeconds(5) }, "renew deadline + write timeout (10 s + 5 s) must be shorter than the lease duration (15 s)" },
        { Settings with { LeaseDuration = TimeSpan.FromSeconds(10) }, "must be shorter than the lease duration (10 s)" },
        { Settings with { RenewDeadline = TimeSpan.Zero }, "the renew deadline must be positive" },
    };

    [Theory]
    [MemberData(nameof(Timings))]
    public void Lease_timings_that_could_let_two_leaders_write_at_once_are_refused_with_the_bound_they_break(LeaseSettings settings, string? error)
    {
        var errors = settings.Validate();

        if (error is null)
        {
            Assert.Empty(errors);
            Assert.Equal(TimeSpan.FromSeconds(5), settings.EffectiveAttemptTimeout);
            Assert.Equal(TimeSpan.FromSeconds(4), settings.EffectiveWriteTimeout);
        }
        else
        {
            Assert.Contains(errors, e => e.Contains(error, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Each_renewal_every_retry_period_extends_the_term_to_its_send_time_plus_the_renew_deadline()
    {
        await using var election = await Election.StartAsync();
        var term = election.A.Term!;

        for (var round = 1; round <= 4; round++)
        {
            election.Time.Advance(Settings.RetryPeriod);
            var expected = election.Time.GetTimestamp() + Ticks(Settings.RenewDeadline);
            await Eventually.WaitForAsync(() => term.ValidUntil == expected, $"renewal {round} extending the term");
            var lease = await election.LeaseAsync();
            Assert.Equal("replica-a", lease.Spec.HolderIdentity);
            Assert.Equal(election.Time.GetUtcNow().UtcDateTime, lease.Spec.RenewTime);
        }

        Assert.True(election.A.IsLeader);
        Assert.Equal(0, election.A.AttemptTimeouts);
    }

    [Fact]
    public async Task A_black_holed_leader_times_out_each_attempt_and_its_term_ends_at_last_renewal_sent_plus_renew_deadline()
    {
        await using var election = await Election.StartAsync();
        var term = election.A.Term!;
        var validUntil = term.ValidUntil;
        var fenced = new ResourceClient<V1ConfigMap>(election.ConnectionA.Fenced(term), ConfigMaps);

        election.Sim.Api.Faults.BlackHole("replica-a");
        await election.AdvanceUntilAsync(() => term.Remaining <= TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

        // A write sent a second before the term ends, with the 4 s write timeout: the term's end cancels it.
        var inFlight = fenced.CreateAsync(Map("in-flight"), Token);
        await election.AdvanceUntilAsync(() => election.EndedA.Task.IsCompleted, TimeSpan.FromSeconds(30));
        var endedAt = await election.EndedA.Task;

        Assert.InRange(endedAt, validUntil, validUntil + Ticks(Step));
        Assert.True(election.A.AttemptTimeouts >= 1, "no renewal attempt timed out");
        Assert.False(election.A.IsLeader);
        await Assert.ThrowsAsync<LeadershipLostException>(() => inFlight);
        await Assert.ThrowsAsync<LeadershipLostException>(() => fenced.CreateAsync(Map("after"), Token));
        election.Sim.Api.Faults.HealAll();
        await Assert.ThrowsAsync<LeadershipLostException>(() => fenced.CreateAsync(Map("after-healing"), Token));
        Assert.DoesNotContain((await new ResourceClient<V1ConfigMap>(election.Direct, ConfigMaps).ListAsync(Token)).Items, m => m.Metadata.Name is "in-flight" or "after" or "after-healing");
    }

    [Fact]
    public async Task A_leader_whose_lease_was_taken_ends_its_term_at_the_renew_deadline_and_leaves_the_lease_alone()
    {
        await using var election = await Election.StartAsync();
        var validUntil = election.A.Term!.ValidUntil;

        // Another replica holds the lease now (it judged ours expired: a partition, a paused process).
        var leases = new ResourceClient<V1Lease>(election.Direct, ResourceTypes.Leases);
        var taken = (await leases.GetAsync(Settings.Namespace, Settings.Name, Token))!;
        taken.Spec.HolderIdentity = "replica-b";
        await leases.ReplaceAsync(taken, Token);

        await election.AdvanceUntilAsync(() => election.EndedA.Task.IsCompleted, TimeSpan.FromSeconds(30));
        var endedAt = await election.EndedA.Task;

        Assert.InRange(endedAt, validUntil, validUntil + Ticks(Step));
        Assert.Equal("replica-b", (await leases.GetAsync(Settings.Namespace, Settings.Name, Token))!.Spec.HolderIdentity);
    }

    [Fact]
    public async Task The_follower_takes_over_only_after_the_old_leaders_last_write_could_have_landed()
    {
        await using var election = await Election.StartAsync(withFollower: true);
        election.Time.Advance(Settings.RetryPeriod);
        var expected = election.Time.GetTimestamp() + Ticks(Settings.RenewDeadline);
        await Eventually.WaitForAsync(() => election.A.Term?.ValidUntil == expected, "a renewal the follower can see");
        var lastRenewalSent = expected - Ticks(Settings.RenewDeadline);

        election.Sim.Api.Faults.BlackHole("replica-a");
        await election.AdvanceUntilAsync(() => election.StartedB.Task.IsCompleted, TimeSpan.FromSeconds(60));
        var startedB = await election.StartedB.Task;
        var endedA = await election.EndedA.Task;

        Assert.InRange(endedA, lastRenewalSent + Ticks(Settings.RenewDeadline), lastRenewalSent + Ticks(Settings.RenewDeadline + Step));
        Assert.True(startedB >= lastRenewalSent + Ticks(Settings.LeaseDuration), "the follower took over before the lease duration had passed");
        Assert.True(endedA + Ticks(Settings.EffectiveWriteTimeout) < startedB, "the old leader's last write could land after the takeover");
        Assert.Equal("replica-b", (await election.LeaseAsync()).Spec.HolderIdentity);
    }

    [Fact]
    public async Task A_leader_that_shuts_down_hands_the_lease_back()
    {
        await using var election = await Election.StartAsync();

        await election.StopAsync();

        Assert.Null((await election.LeaseAsync()).Spec.HolderIdentity);
        Assert.True(election.EndedA.Task.IsCompleted);
    }

    private static readonly ResourceType<V1ConfigMap> ConfigMaps = ConfigMapType.InDefault;

    private static V1ConfigMap Map(string name) => new() { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" } };

    // The fake clock's timestamps are 100 ns ticks.
    private static long Ticks(TimeSpan span) => span.Ticks;

    /// <summary>replica-a leading on KubeSim (and replica-b following when asked), each on its own connection named by its User-Agent.</summary>
    private sealed class Election : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Task> _runs = [];
        private readonly List<KubeConnection> _connections = [];

        private Election(Sim sim)
        {
            Sim = sim;
            Direct = sim.Direct();
        }

        public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));

        public Sim Sim { get; }

        public KubeConnection Direct { get; }

        public LeaderElector A { get; private set; } = null!;


        public KubeConnection ConnectionA => _connections[0];

        public TaskCompletionSource<long> EndedA { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<long> StartedB { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public static async Task<Election> StartAsync(bool withFollower = false)
        {
            var sim = await Sim.StartAsync(TimeProvider.System);
            var election = new Election(sim);
            await new ResourceClient<V1Namespace>(election.Direct, ResourceTypes.Namespaces)
                .CreateAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Settings.Namespace } }, Token);
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            election.A = election.Start("replica-a", term =>
            {
                term.Token.Register(() => election.EndedA.TrySetResult(election.Time.GetTimestamp()));
                started.TrySetResult();
            });
            await started.Task.WaitAsync(TimeSpan.FromSeconds(60), Token);
            if (withFollower)
            {
                election.Start("replica-b", _ => election.StartedB.TrySetResult(election.Time.GetTimestamp()));
            }

            return election;
        }

        /// <summary>Moves virtual time in small steps, letting real I/O run between them, until <paramref name="done"/>.</summary>
        public async Task AdvanceUntilAsync(Func<bool> done, TimeSpan limit)
        {
            var moved = TimeSpan.Zero;
            while (!done())
            {
                Assert.True(moved < limit, $"nothing happened within {limit} of virtual time");
                Time.Advance(Step);
                moved += Step;
                await Task.Delay(5, Token);
            }
        }

        public async Task<V1Lease> LeaseAsync() =>
            (await new ResourceClient<V1Lease>(Direct, ResourceTypes.Leases).GetAsync(Settings.Namespace, Settings.Name, Token))!;

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            foreach (var run in _runs)
            {
                await run.WaitAsync(TimeSpan.FromSeconds(60), Token).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        public async ValueTask DisposeAsync()
        {
            Sim.Api.Faults.HealAll();
            await StopAsync();
            _stop.Dispose();
            foreach (var connection in _connections)
            {
                connection.Dispose();
            }

            Direct.Dispose();
            await Sim.DisposeAsync();
        }

        private LeaderElector Start(string identity, Action<LeaseTerm> onTerm)
        {
            // The leader's request timeouts run on virtual time too, so a fenced write's timeout is as exact as the term's.
            var options = new KubeConnectionOptions { UserAgent = identity, Time = identity == "replica-a" ? Time : TimeProvider.System };
            var connection = new KubeConnection(KubernetesClientConfiguration.BuildConfigFromConfigFile(Sim.Api.Kubeconfig), options);
            _connections.Add(connection);
            var elector = new LeaderElector(connection, Settings with { Identity = identity }, Time, NullLogger.Instance);
            _runs.Add(elector.RunAsync(
                async term =>
                {
                    onTerm(term);
                    await Task.Delay(Timeout.Infinite, term.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                },
                _stop.Token));
            return elector;
        }
    }
}
