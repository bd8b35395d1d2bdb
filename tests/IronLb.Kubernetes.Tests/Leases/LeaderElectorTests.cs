using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Informers;
using IronLb.Kubernetes.Leases;
using IronLb.Kubernetes.Tests.Support;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace IronLb.Kubernetes.Tests.Leases;

/// <summary>
/// Leader election against KubeSim in virtual time, stepping from one of the elector's timers to the next:
/// a leader renews every retry period; a leader that cannot renew (the lease taken, the API gone) stops its
/// work once the renew deadline has passed, which is before its lease could expire for anyone else; a
/// leader that shuts down hands the lease back.
/// </summary>
public sealed class LeaderElectorTests
{
    private static readonly LeaseSettings Settings = new("metallb-system", "ironlb-controller", "replica-a",
        LeaseDuration: TimeSpan.FromSeconds(15), RenewDeadline: TimeSpan.FromSeconds(10), RetryPeriod: TimeSpan.FromSeconds(2));

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_leader_renews_its_lease_every_retry_period_and_keeps_leading()
    {
        await using var election = await Election.StartAsync();

        for (var round = 0; round <= 5; round++)
        {
            // Waiting for the next round means this one's renewal is done.
            var due = await election.Time.PendingTimerAsync();
            Assert.Equal(Settings.RetryPeriod, due);
            var lease = await election.LeaseAsync();
            Assert.Equal("replica-a", lease.Spec.HolderIdentity);
            Assert.Equal(election.Time.GetUtcNow().UtcDateTime, lease.Spec.RenewTime);
            Assert.Equal(0, lease.Spec.LeaseTransitions);
            await election.Time.StepAsync();
        }

        Assert.True(election.Elector.IsLeader);
        Assert.False(election.Term.IsCancellationRequested);
    }

    [Fact]
    public async Task A_leader_whose_lease_was_taken_stops_its_work_after_the_renew_deadline_and_leaves_the_lease_alone()
    {
        await using var election = await Election.StartAsync();
        var lastRenewal = election.Time.GetUtcNow();

        // Another replica holds the lease now (it judged ours expired: a clock jump, a partition).
        var leases = new ResourceClient<V1Lease>(election.Direct, ResourceTypes.Leases);
        var taken = (await leases.GetAsync(Settings.Namespace, Settings.Name, Token))!;
        taken.Spec.HolderIdentity = "replica-b";
        taken.Spec.RenewTime = election.Time.GetUtcNow().UtcDateTime;
        await leases.ReplaceAsync(taken, Token);

        var cancelledAt = await election.StepUntilTermEndsAsync();

        Assert.InRange(cancelledAt - lastRenewal, Settings.RenewDeadline, Settings.RenewDeadline + Settings.RetryPeriod);
        Assert.False(election.Elector.IsLeader);
        Assert.Equal("replica-b", (await leases.GetAsync(Settings.Namespace, Settings.Name, Token))!.Spec.HolderIdentity);
    }

    [Fact]
    public async Task A_leader_cut_off_from_the_API_stops_its_work_before_its_lease_can_expire_for_anyone_else()
    {
        await using var election = await Election.StartAsync();
        await election.Time.StepAsync();
        await election.Time.PendingTimerAsync();
        var lease = await election.LeaseAsync();
        var renewed = new DateTimeOffset(lease.Spec.RenewTime!.Value, TimeSpan.Zero);

        election.Sim.Faults.Fail(_ => true);
        var cancelledAt = await election.StepUntilTermEndsAsync();

        Assert.True(cancelledAt - renewed > Settings.RenewDeadline, "stopped before the renew deadline");
        Assert.True(cancelledAt < renewed + TimeSpan.FromSeconds(lease.Spec.LeaseDurationSeconds!.Value), "still working when the lease expired");
        Assert.False(election.Elector.IsLeader);
    }

    [Fact]
    public async Task A_leader_that_shuts_down_hands_the_lease_back()
    {
        await using var election = await Election.StartAsync();

        await election.StopAsync();

        Assert.Null((await election.LeaseAsync()).Spec.HolderIdentity);
        Assert.True(election.Term.IsCancellationRequested);
    }

    /// <summary>One elector, replica-a, leading on KubeSim; its work records when its term ends.</summary>
    private sealed class Election : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly TaskCompletionSource<CancellationToken> _leading = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<DateTimeOffset> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private Task _run = Task.CompletedTask;

        private Election(Sim sim, SteppedTime time)
        {
            Sim = sim;
            Time = time;
            Direct = sim.Direct();
            Elector = new LeaderElector(sim.Connection, Settings, time, NullLogger.Instance);
        }

        public Sim Sim { get; }

        public SteppedTime Time { get; }

        public KubeConnection Direct { get; }

        public LeaderElector Elector { get; }

        public CancellationToken Term { get; private set; }

        public static async Task<Election> StartAsync()
        {
            var time = new SteppedTime();
            var sim = await Sim.StartAsync(time);
            var election = new Election(sim, time);
            await new ResourceClient<V1Namespace>(election.Direct, ResourceTypes.Namespaces)
                .CreateAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Settings.Namespace } }, Token);
            election._run = election.Elector.RunAsync(election.LeadAsync, election._stop.Token);
            election.Term = await election._leading.Task.WaitAsync(TimeSpan.FromSeconds(60), Token);
            return election;
        }

        public async Task<V1Lease> LeaseAsync() =>
            (await new ResourceClient<V1Lease>(Direct, ResourceTypes.Leases).GetAsync(Settings.Namespace, Settings.Name, Token))!;

        /// <summary>Steps through the elector's timers until its work was cancelled; returns when that was.</summary>
        public async Task<DateTimeOffset> StepUntilTermEndsAsync()
        {
            while (true)
            {
                using var stopStepping = new CancellationTokenSource();
                var step = Time.StepAsync(stopStepping.Token);
                if (await Task.WhenAny(step, _ended.Task) == _ended.Task)
                {
                    await stopStepping.CancelAsync();
                    try
                    {
                        await step;
                    }
                    catch (OperationCanceledException)
                    {
                    }

                    return await _ended.Task;
                }

                await step;
            }
        }

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await _run.WaitAsync(TimeSpan.FromSeconds(60), Token);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try
            {
                // Shutting down waits on no timer: the hand-back's requests end on their own, answered or refused.
                await _run.WaitAsync(TimeSpan.FromSeconds(60), Token);
            }
            catch (OperationCanceledException)
            {
                // A follower's wait for its next attempt ends this way.
            }
            finally
            {
                _stop.Dispose();
                Direct.Dispose();
                await Sim.DisposeAsync();
            }
        }

        private async Task LeadAsync(CancellationToken term)
        {
            using var registration = term.Register(() => _ended.TrySetResult(Time.GetUtcNow()));
            _leading.TrySetResult(term);
            await Task.Delay(Timeout.Infinite, term).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
