using System.Net;
using IronLb.Kubernetes.Informers;
using IronLb.Speaker.Cluster;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace IronLb.Speaker.Tests.Cluster;

/// <summary>What the ring's API mode takes from the Lease informer: a sighting only for a change this node saw happen.</summary>
public sealed class SpeakerLeaseWatchTests
{
    private static readonly IPEndPoint Endpoint = IPEndPoint.Parse("192.0.2.2:7947");
    private static readonly DateTimeOffset Renewed = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    private static V1Lease Lease(string node, string state, double renewedSecondsLater = 0) =>
        SpeakerLease.Build("metallb-system", node, new SpeakerLeaseContent(Endpoint, state), TimeSpan.FromSeconds(10), Renewed.AddSeconds(renewedSecondsLater), owner: null);

    private static InformerChange<V1Lease> Update(V1Lease old, V1Lease lease) => new(ChangeType.Updated, "metallb-system/" + lease.Metadata.Name, old, lease);

    [Fact]
    public void A_Lease_first_seen_in_a_list_is_not_a_sighting_until_it_changes()
    {
        var time = new FakeTimeProvider();
        var watch = new SpeakerLeaseWatch(time);
        var listed = Lease("n2", SpeakerLease.NoMajority);
        watch.Observe(new InformerChange<V1Lease>(ChangeType.Added, "metallb-system/ironlb-speaker-n2", null, listed));
        Assert.Empty(watch.Evidence.Sightings);

        time.Advance(TimeSpan.FromSeconds(3));
        watch.Observe(Update(listed, Lease("n2", SpeakerLease.NoMajority, renewedSecondsLater: 10)));
        var sighting = Assert.Single(watch.Evidence.Sightings);
        Assert.Equal(("n2", SpeakerLease.NoMajority, time.GetTimestamp()), (sighting.Key, sighting.Value.State, sighting.Value.ChangedAt));
    }

    [Fact]
    public void A_new_state_is_a_sighting_an_unchanged_Lease_and_a_deletion_are_not()
    {
        var time = new FakeTimeProvider();
        var watch = new SpeakerLeaseWatch(time);
        var first = Lease("n2", SpeakerLease.NoMajority);
        var api = Lease("n2", SpeakerLease.ApiMode);
        watch.Observe(Update(first, api));
        var seen = time.GetTimestamp();

        time.Advance(TimeSpan.FromSeconds(5));
        watch.Observe(Update(api, Lease("n2", SpeakerLease.ApiMode)));
        watch.Observe(new InformerChange<V1Lease>(ChangeType.Deleted, "metallb-system/ironlb-speaker-n2", api, null));
        Assert.Equal(new[] { ("n2", SpeakerLease.ApiMode, seen) }, watch.Evidence.Sightings.Select(s => (s.Key, s.Value.State, s.Value.ChangedAt)));
    }

    [Fact]
    public void A_Lease_whose_holder_is_not_its_node_is_not_read()
    {
        var watch = new SpeakerLeaseWatch(new FakeTimeProvider());
        var edited = Lease("n2", SpeakerLease.ApiMode, 10);
        edited.Spec.HolderIdentity = "n3";
        watch.Observe(Update(Lease("n2", SpeakerLease.ApiMode), edited));
        Assert.Empty(watch.Evidence.Sightings);
    }

    [Fact]
    public void Own_writes_keep_the_time_a_state_was_first_confirmed()
    {
        var time = new FakeTimeProvider();
        var watch = new SpeakerLeaseWatch(time);
        watch.Written(new SpeakerLeaseContent(Endpoint, SpeakerLease.NoMajority), 10, 20);
        watch.Written(new SpeakerLeaseContent(Endpoint, SpeakerLease.ApiMode), 30, 40);
        watch.Written(new SpeakerLeaseContent(Endpoint, SpeakerLease.ApiMode), 50, 60);
        Assert.Equal(new Speaker.Membership.ApiMode.OwnLeaseWrite(SpeakerLease.ApiMode, 40, 50), watch.Evidence.OwnWrite);
    }
}
