namespace IronLb.Speaker.Tests.Cluster;

/// <summary>
/// Issue #14 finding 8: an evaluation that throws (one poison object, a bug) must not end the speaker's loop,
/// since every speaker sees the same objects and all of them would crash-loop. The failure is counted and the
/// next trigger tries again.
/// </summary>
[Trait("Category", Category.Kubectl)]
public sealed class PoisonEvaluationTests
{
    [Fact]
    public async Task An_evaluation_that_throws_is_counted_and_the_speaker_recovers_on_the_next_change()
    {
        await using var cluster = await SpeakerCluster.StartAsync("cwn1");
        await cluster.CreatePoolAsync("external", "[\"192.0.2.176/28\"]");
        await cluster.CreateAdvertisementAsync("external", "external");
        await cluster.CreateServiceAsync("web", "gateway", ["192.0.2.180"], ["cwn1"]);

        // NotSupportedException (like NullReferenceException) was outside the loop's old catch list: it ended the loop for good.
        var poisoned = 1;
        cluster.Start("cwn1", localInterfaces: () => Volatile.Read(ref poisoned) == 1 ? throw new NotSupportedException("poison") : null);
        var speaker = cluster.Speaker("cwn1");
        await SpeakerCluster.EventuallyAsync(() => speaker.EvaluationFailures, n => n >= 1, "a failed evaluation counted");
        Assert.Empty(cluster.Announced("cwn1"));

        Volatile.Write(ref poisoned, 0);
        await cluster.SetEndpointsAsync("web", "gateway", ["cwn1"]);
        await SpeakerCluster.EventuallyAsync(() => cluster.Announced("cwn1"), a => a.SequenceEqual(["192.0.2.180"]), "the address announced once the poison is gone");
    }
}
