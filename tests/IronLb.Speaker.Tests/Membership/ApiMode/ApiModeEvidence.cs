using System.Collections.Immutable;
using IronLb.Speaker.Cluster;
using IronLb.Speaker.Membership.ApiMode;
using Microsoft.Extensions.Time.Testing;

namespace IronLb.Speaker.Tests.Membership.ApiMode;

/// <summary>Builds <see cref="LeaseEvidence"/> on a fake clock: "b's Lease said X, seen S seconds ago".</summary>
internal sealed class ApiModeEvidence(FakeTimeProvider time)
{
    public const string NoMajority = SpeakerLease.NoMajority;
    public const string Api = SpeakerLease.ApiMode;
    public const string Answering = SpeakerLease.Answering;

    private ImmutableDictionary<string, LeaseSighting> _sightings = ImmutableDictionary.Create<string, LeaseSighting>(StringComparer.Ordinal);
    private OwnLeaseWrite? _own;

    public LeaseEvidence Evidence => new(_sightings, _own);

    /// <summary>This node saw the member's Lease change to (or renew with) the state, some seconds ago.</summary>
    public ApiModeEvidence Seen(string member, string state, double secondsAgo = 0)
    {
        _sightings = _sightings.SetItem(member, new LeaseSighting(state, At(secondsAgo)));
        return this;
    }

    /// <summary>This node's own write with the state: first confirmed, and the latest one started, some seconds ago.</summary>
    public ApiModeEvidence Wrote(string state, double confirmedSecondsAgo = 0, double? lastStartedSecondsAgo = null)
    {
        _own = new OwnLeaseWrite(state, At(confirmedSecondsAgo), At(lastStartedSecondsAgo ?? confirmedSecondsAgo));
        return this;
    }

    /// <summary>Every member renewed its Lease with the state just now, this node included (its write too).</summary>
    public ApiModeEvidence AllRenew(string self, string state, params string[] members)
    {
        foreach (var member in members)
        {
            Seen(member, state);
        }

        var confirmed = _own is { } own && own.State == state ? own.StateConfirmedAt : time.GetTimestamp();
        _own = new OwnLeaseWrite(state, confirmed, time.GetTimestamp());
        return Seen(self, state);
    }

    private long At(double secondsAgo) => time.GetTimestamp() - (long)(secondsAgo * time.TimestampFrequency);
}
