using IronLb.Monitoring.Http;

namespace IronLb.Monitoring.Tests.Http;

/// <summary>Which connection makes room for a newcomer: the one idle longest, and never one being answered.</summary>
public sealed class IdleConnectionsTests
{
    private readonly IdleConnections _idle = new();

    [Fact]
    public void The_connection_idle_longest_is_evicted_first_and_learns_it_when_it_leaves()
    {
        using var first = new CancellationTokenSource();
        using var second = new CancellationTokenSource();
        var a = new IdleConnection(first);
        var b = new IdleConnection(second);
        _idle.Enter(a);
        _idle.Enter(b);

        Assert.True(_idle.EvictOldest());

        Assert.True(first.IsCancellationRequested);
        Assert.False(second.IsCancellationRequested);
        Assert.False(_idle.Leave(a));
        Assert.True(_idle.Leave(b));
    }

    [Fact]
    public void A_connection_being_answered_is_never_evicted()
    {
        using var deadline = new CancellationTokenSource();
        var answering = new IdleConnection(deadline);
        _idle.Enter(answering);
        Assert.True(_idle.Leave(answering));

        Assert.False(_idle.EvictOldest());
        Assert.False(deadline.IsCancellationRequested);
    }

    [Fact]
    public void A_lingering_connection_enters_again_behind_the_others_and_an_evicted_one_never_comes_back()
    {
        using var lingering = new CancellationTokenSource();
        using var waiting = new CancellationTokenSource();
        var l = new IdleConnection(lingering);
        var w = new IdleConnection(waiting);
        _idle.Enter(l);
        _idle.Enter(w);
        Assert.True(_idle.Leave(l));
        _idle.Enter(l);

        Assert.True(_idle.EvictOldest());
        Assert.True(waiting.IsCancellationRequested);
        _idle.Enter(w);
        Assert.True(_idle.EvictOldest());
        Assert.True(lingering.IsCancellationRequested);
        Assert.False(_idle.EvictOldest());
    }

    [Fact]
    public void Evicting_a_connection_that_ended_meanwhile_is_harmless()
    {
        var deadline = new CancellationTokenSource();
        _idle.Enter(new IdleConnection(deadline));
        deadline.Dispose();

        Assert.True(_idle.EvictOldest());
    }
}
