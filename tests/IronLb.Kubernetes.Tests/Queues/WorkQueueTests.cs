using IronLb.Kubernetes.Queues;
using IronLb.Kubernetes.Tests.Support;

namespace IronLb.Kubernetes.Tests.Queues;

/// <summary>The work queue's promises, in virtual time: no key twice, none handed out while in flight, back-off per key.</summary>
public sealed class WorkQueueTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_key_added_while_waiting_is_queued_once()
    {
        using var queue = new WorkQueue<string>(new SteppedTime());
        queue.Add("a");
        queue.Add("b");
        queue.Add("a");

        Assert.Equal(2, queue.Count);
        Assert.Equal("a", await queue.GetAsync(Token));
        Assert.Equal("b", await queue.GetAsync(Token));
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task A_key_in_flight_is_not_handed_out_again_and_comes_back_once_after_Done()
    {
        using var queue = new WorkQueue<string>(new SteppedTime());
        queue.Add("a");
        var key = await queue.GetAsync(Token);

        queue.Add("a");
        queue.Add("a");
        Assert.Equal(0, queue.Count);

        queue.Done(key);
        Assert.Equal(1, queue.Count);
        Assert.Equal("a", await queue.GetAsync(Token));
        queue.Done("a");
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task GetAsync_waits_for_an_add()
    {
        using var queue = new WorkQueue<string>(new SteppedTime());
        var waiting = queue.GetAsync(Token);
        Assert.False(waiting.IsCompleted);

        queue.Add("late");
        Assert.Equal("late", await waiting);
    }

    [Fact]
    public async Task Failures_come_back_after_a_delay_that_doubles_per_failure_up_to_the_cap()
    {
        var time = new SteppedTime();
        using var queue = new WorkQueue<string>(time, TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(30));
        var delays = new List<TimeSpan>();
        for (var failure = 0; failure < 5; failure++)
        {
            queue.AddRateLimited("a");
            var due = await time.NextTimerAsync();
            delays.Add(due);

            // Not a tick early.
            time.Advance(due - TimeSpan.FromTicks(1));
            Assert.Equal(0, queue.Count);
            time.Advance(TimeSpan.FromTicks(1));
            Assert.Equal("a", await queue.GetAsync(Token));
            queue.Done("a");
        }

        Assert.Equal([5, 10, 20, 30, 30], delays.Select(d => d.TotalMilliseconds));
    }

    [Fact]
    public async Task Forget_starts_the_back_off_over_and_keys_back_off_independently()
    {
        var time = new SteppedTime();
        using var queue = new WorkQueue<string>(time, TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1));
        queue.AddRateLimited("a");
        time.Advance(await time.NextTimerAsync());
        queue.AddRateLimited("a");
        Assert.Equal(TimeSpan.FromMilliseconds(10), await time.NextTimerAsync());

        queue.AddRateLimited("b");
        Assert.Equal(TimeSpan.FromMilliseconds(5), await time.NextTimerAsync());

        queue.Forget("a");
        queue.AddRateLimited("a");
        Assert.Equal(TimeSpan.FromMilliseconds(5), await time.NextTimerAsync());
    }

    [Fact]
    public async Task After_ShutDown_nothing_is_added_or_requeued()
    {
        using var queue = new WorkQueue<string>(new SteppedTime());
        queue.Add("a");
        var key = await queue.GetAsync(Token);
        queue.Add("a");

        queue.ShutDown();
        queue.Add("b");
        queue.Done(key);

        Assert.Equal(0, queue.Count);
    }
}
