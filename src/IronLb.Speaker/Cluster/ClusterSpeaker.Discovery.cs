namespace IronLb.Speaker.Cluster;

/// <summary>
/// Eligibility (issue 14, finding 7) and what this speaker's Lease says. A speaker is eligible for the
/// election from its first valid configuration on, and for good (an old good configuration keeps being
/// served), once it knows its peers; until then its heartbeats say so and every node, itself included,
/// leaves it out, so the others cover its share.
/// </summary>
internal sealed partial class ClusterSpeaker
{
    /// <summary>
    /// After a start, how long this speaker waits for the other speakers' Leases when some Node still has
    /// none: every owner rewrites its Lease within one period, so by then all of them are back.
    /// </summary>
    private TimeSpan DiscoveryWait => _options.LeaseRenewInterval * 1.5;

    /// <summary>Applies eligibility to the membership and refreshes the Lease's content; run by every evaluation.</summary>
    private void UpdateEligibility()
    {
        var eligible = _config is not null && DiscoverySettled();
        if (_membership is { } membership && membership.Eligible != eligible)
        {
            membership.Eligible = eligible;
            LogEligible(_logger, _options.Node);
        }

        if (_endpoint is { } endpoint)
        {
            _leaseContent = new SpeakerLeaseContent(endpoint, SpeakerLease.Describe(eligible, View, _options.Node))
            {
                Macs = string.Join(',', LocalMacs?.Invoke() ?? []),
            };
        }
    }

    /// <summary>
    /// Whether this speaker knows its peers well enough to be elected: a peer for every other Node, or the
    /// discovery wait is over. A speaker started while the Leases are gone thus never becomes a quorum of
    /// one that answers for every address. Once settled, for good.
    /// </summary>
    private bool DiscoverySettled()
    {
        if (!_discoverySettled && _membership is not null)
        {
            var others = _nodes.Items.Select(n => n.Metadata?.Name).OfType<string>().Where(n => !string.Equals(n, _options.Node, StringComparison.Ordinal));
            _discoverySettled = others.All(_peers.ContainsKey) || _time.GetElapsedTime(_discoveryStart) >= DiscoveryWait;
        }

        return _discoverySettled;
    }
}
