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
    private long _held;

    /// <summary>How many requests were held unanswered so far (watches silenced included).</summary>
    public long Held => Interlocked.Read(ref _held);

    /// <summary>From now on every request whose User-Agent contains <paramref name="userAgentPart"/> is dropped.</summary>
    public void BlackHole(string userAgentPart)
    {
        ArgumentException.ThrowIfNullOrEmpty(userAgentPart);
        ImmutableInterlocked.Update(ref _blackHoled, set => set.Add(userAgentPart));
    }

    /// <summary>Requests of <paramref name="userAgentPart"/>'s client are answered again (held ones stay held).</summary>
    public void Heal(string userAgentPart) => ImmutableInterlocked.Update(ref _blackHoled, set => set.Remove(userAgentPart));

    /// <summary>Every client is answered again.</summary>
    public void HealAll() => ImmutableInterlocked.Update(ref _blackHoled, set => set.Clear());

    /// <summary>True when the request's client is black-holed now.</summary>
    internal bool Drops(HttpContext context)
    {
        var set = Volatile.Read(ref _blackHoled);
        if (set.IsEmpty)
        {
            return false;
        }

        var agent = context.Request.Headers.UserAgent.ToString();
        return set.Any(part => agent.Contains(part, StringComparison.Ordinal));
    }

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
