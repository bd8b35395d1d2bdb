using System.Collections.Immutable;
using Microsoft.AspNetCore.Http;

namespace IronLb.KubeSim;

/// <summary>
/// Black holes over real HTTP, for the fault tests of the clients: requests of a chosen client (matched by a
/// substring of its User-Agent) are accepted and never answered, and its open watches fall silent, as when a
/// firewall starts dropping that client's packets. Healing lets new requests through; requests already held
/// and watches already silenced stay that way until the client gives up on them, as half-open connections
/// do, so only a client's own timeouts get it going again.
/// </summary>
public sealed class KubeSimFaults
{
    private ImmutableHashSet<string> _blackHoled = ImmutableHashSet<string>.Empty.WithComparer(StringComparer.Ordinal);
    private ImmutableHashSet<string> _watchesBlackHoled = ImmutableHashSet<string>.Empty.WithComparer(StringComparer.Ordinal);
    private long _held;

    /// <summary>How many requests were held unanswered so far (watches silenced included).</summary>
    public long Held => Interlocked.Read(ref _held);

    /// <summary>From now on every request whose User-Agent contains <paramref name="userAgentPart"/> is dropped.</summary>
    public void BlackHole(string userAgentPart)
    {
        ArgumentException.ThrowIfNullOrEmpty(userAgentPart);
        ImmutableInterlocked.Update(ref _blackHoled, set => set.Add(userAgentPart));
    }

    /// <summary>
    /// Only the watches of the client are dropped (new ones held, open ones silenced); its other requests are
    /// served, as when a proxy or load balancer kills long-lived streams without a word.
    /// </summary>
    public void BlackHoleWatches(string userAgentPart)
    {
        ArgumentException.ThrowIfNullOrEmpty(userAgentPart);
        ImmutableInterlocked.Update(ref _watchesBlackHoled, set => set.Add(userAgentPart));
    }

    /// <summary>Requests of <paramref name="userAgentPart"/>'s client are answered again (held ones stay held).</summary>
    public void Heal(string userAgentPart)
    {
        ImmutableInterlocked.Update(ref _blackHoled, set => set.Remove(userAgentPart));
        ImmutableInterlocked.Update(ref _watchesBlackHoled, set => set.Remove(userAgentPart));
    }

    /// <summary>Every client is answered again.</summary>
    public void HealAll()
    {
        ImmutableInterlocked.Update(ref _blackHoled, set => set.Clear());
        ImmutableInterlocked.Update(ref _watchesBlackHoled, set => set.Clear());
    }

    /// <summary>True when the request's client is black-holed now (for <paramref name="watch"/> requests, watch-only black holes count too).</summary>
    internal bool Drops(HttpContext context, bool watch)
    {
        var all = Volatile.Read(ref _blackHoled);
        var watches = watch ? Volatile.Read(ref _watchesBlackHoled) : [];
        if (all.IsEmpty && watches.IsEmpty)
        {
            return false;
        }

        var agent = context.Request.Headers.UserAgent.ToString();
        return all.Any(part => agent.Contains(part, StringComparison.Ordinal)) || watches.Any(part => agent.Contains(part, StringComparison.Ordinal));
    }

    /// <summary>A watch request, as kube-apiserver reads the flag.</summary>
    internal static bool IsWatch(HttpContext context) => context.Request.Query["watch"].ToString() is "true" or "1";

    /// <summary>
    /// Holds the request without a byte of answer until the client aborts it or the server stops; then the
    /// connection is reset, never finished with a response.
    /// </summary>
    internal async Task HoldAsync(HttpContext context, CancellationToken stopping)
    {
        Interlocked.Increment(ref _held);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        try
        {
            await Task.Delay(Timeout.Infinite, either.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            context.Abort();
        }
    }
}
