namespace IronLb.Speaker.Membership;

/// <summary>
/// Nodes a quorum has dropped, which then leave the quorum count. A drop is only confirmed after the
/// quorum has held it for a whole detection time: while a partition forms, the minority side can look
/// quorate for a few hundred milliseconds (it stops hearing the far side node by node), and confirming
/// then would let it shrink its count and grab every address.
/// </summary>
internal sealed class DeadBook
{
    private readonly Dictionary<string, TimeSpan> _pending = new(StringComparer.Ordinal);
    private readonly HashSet<string> _confirmed = new(StringComparer.Ordinal);

    public IReadOnlySet<string> Confirmed => _confirmed;

    /// <summary>Called in quorum mode with the peers the majority rule excludes right now.</summary>
    public void Observe(TimeSpan now, TimeSpan hold, IEnumerable<string> excluded)
    {
        var current = excluded.ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _pending.Keys.Where(k => !current.Contains(k)).ToList())
        {
            _pending.Remove(gone);
        }

        foreach (var node in current)
        {
            if (_confirmed.Contains(node))
            {
                continue;
            }

            if (!_pending.TryGetValue(node, out var since))
            {
                _pending[node] = now;
            }
            else if (now - since >= hold)
            {
                _confirmed.Add(node);
                _pending.Remove(node);
            }
        }
    }

    /// <summary>Without a quorum nothing new is confirmed; what was confirmed stays.</summary>
    public void QuorumLost() => _pending.Clear();

    /// <summary>Heard again (directly or by the majority): back in the count.</summary>
    public void Forget(IEnumerable<string> live)
    {
        foreach (var node in live)
        {
            _confirmed.Remove(node);
            _pending.Remove(node);
        }
    }

    public void Keep(IReadOnlySet<string> peers)
    {
        _confirmed.IntersectWith(peers);
        foreach (var gone in _pending.Keys.Where(k => !peers.Contains(k)).ToList())
        {
            _pending.Remove(gone);
        }
    }

    public void Clear()
    {
        _confirmed.Clear();
        _pending.Clear();
    }
}
