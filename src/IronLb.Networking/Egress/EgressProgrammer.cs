using System.Collections.Immutable;

namespace IronLb.Networking.Egress;

/// <summary>
/// Programs a node's kernel for egress: the table <c>inet ironlb</c> through libnftables, and the policy rules
/// and routes through rtnetlink. On a change: routes and rules the new set needs first, then the nftables
/// transaction, then the removal of stale rules and routes, so no packet is ever marked into a table without
/// a route. Nothing outside IronLB's table, rule priority and routing tables is touched.
/// </summary>
/// <remarks>
/// Not thread-safe: the speaker calls it from its one evaluation loop. The constructor does no I/O; the
/// sockets open on first use in the calling thread's network namespace. Failures (libnftables missing, a
/// refused transaction, a kernel error) come back as <see cref="EgressApplyOutcome.Failed"/> with a reason.
/// </remarks>
public sealed class EgressProgrammer : IDisposable
{
    private readonly NftablesSession _nft = new();
    private readonly Rtnetlink _netlink = new();
    private readonly KernelRouting _routing;
    private EgressRuleSet? _applied;
    private ImmutableArray<EgressRoute>? _appliedPlan;
    private bool _disposed;

    public EgressProgrammer(EgressKernelOptions? options = null)
    {
        Options = options ?? EgressKernelOptions.Default;
        _routing = new KernelRouting(Options, _netlink);
    }

    public EgressKernelOptions Options { get; }

    /// <summary>rtnetlink requests sent so far (dumps included).</summary>
    public long NetlinkMessages => _netlink.Messages;

    /// <summary>libnftables commands run so far (each one transaction at most).</summary>
    public long NftTransactions => _nft.Transactions;

    /// <summary>Counter answers or items that could not be read (see <see cref="EgressCounterParser"/>).</summary>
    public long CounterDrops { get; private set; }

    public EgressApplyResult Apply(EgressRuleSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (set.Equals(_applied))
        {
            return EgressApplyResult.Unchanged;
        }

        _applied = null; // until this one succeeds, the next Apply writes everything again
        var problems = Options.Validate().AddRange(EgressRouting.Problems(set, Options));
        if (!problems.IsEmpty)
        {
            return EgressApplyResult.Failed(string.Join("; ", problems));
        }

        var plan = EgressRouting.Plan(set, Options);
        // Most changes (endpoints, roles) keep the same next hops: then the rules and routes this programmer
        // wrote last time still stand and only the table is replaced, without listing the node's routes.
        var routingUnchanged = _appliedPlan is { } last && last.SequenceEqual(plan);
        _appliedPlan = null;
        List<KernelRule> rules = [];
        List<KernelRoute> routes = [];
        if (!routingUnchanged)
        {
            (rules, routes, var readError) = _routing.ReadOwned();
            if (readError is not null)
            {
                return EgressApplyResult.Failed(readError);
            }

            if (_routing.AddMissing(plan, rules, routes) is { } addError)
            {
                return EgressApplyResult.Failed(addError);
            }
        }

        var answer = _nft.Run(EgressNftRenderer.Render(set, Options));
        if (!answer.Ok)
        {
            return EgressApplyResult.Failed($"nftables refused the table: {answer.Error}");
        }

        if (!routingUnchanged && _routing.RemoveStale(plan, rules, routes) is { } removeError)
        {
            return EgressApplyResult.Failed(removeError);
        }

        _applied = set;
        _appliedPlan = plan;
        return EgressApplyResult.Applied;
    }

    /// <summary>Removes IronLB's table, rules and routes: at start-up (a crashed run's leftovers) and on a clean
    /// shutdown. Does all three even when one fails, and names every failure.</summary>
    public EgressApplyResult Clear()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _applied = null;
        _appliedPlan = null;
        var errors = new List<string>();
        var answer = _nft.Run(EgressNftRenderer.RenderRemoval());
        if (!answer.Ok)
        {
            errors.Add($"removing the nftables table: {answer.Error}");
        }

        var (rules, routes, readError) = _routing.ReadOwned();
        if (readError is not null)
        {
            errors.Add(readError);
        }
        else if (_routing.RemoveStale([], rules, routes) is { } removeError)
        {
            errors.Add(removeError);
        }

        if (errors.Count > 0)
        {
            return EgressApplyResult.Failed(string.Join("; ", errors));
        }

        _applied = EgressRuleSet.Empty;
        _appliedPlan = [];
        return EgressApplyResult.Applied;
    }

    /// <summary>The named counters of the applied table; empty when nothing is applied or the answer is unreadable
    /// (each unreadable answer or item adds to <see cref="CounterDrops"/>).</summary>
    public IReadOnlyList<EgressCounter> ReadCounters()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_applied is null || _applied.IsEmpty)
        {
            return [];
        }

        var answer = _nft.Run(EgressNftRenderer.RenderListCounters());
        if (!answer.Ok)
        {
            CounterDrops++;
            return [];
        }

        var parse = EgressCounterParser.Parse(answer.Output);
        CounterDrops += parse.Dropped;
        return parse.Counters;
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _nft.Dispose();
            _netlink.Dispose();
        }
    }
}
