namespace IronLb.Speaker.Membership.ApiMode;

/// <summary>
/// API mode's durations, all derived from the Lease renewal period P (10 s by default) so that they keep their
/// order whatever P is (docs/membership.md, "API mode"):
/// <list type="bullet">
/// <item>a speaker answers in API mode only while its latest successful renewal started less than <see cref="SelfFence"/> (2P) ago;</item>
/// <item>another speaker's Lease counts as fresh for <see cref="Fresh"/> (3P) after this node saw it change, so a
/// Lease that has gone stale here belongs to a speaker that has stopped answering, with P to spare;</item>
/// <item>this node's own Lease must have been seen changing within <see cref="SelfFresh"/> (1.5P): a watch that has
/// silently stopped shows here first, before the others' Leases look stale;</item>
/// <item>the switch needs the condition to hold for <see cref="EntryWait"/> (P), so that every speaker's state has been
/// written and read; a speaker answers its share only <see cref="JoinHold"/> (P/2) after its "api mode" was
/// written, so the others have read it and given that share up first;</item>
/// <item>coming back, ring answers wait <see cref="ReturnHold"/> after the round lease returns, so a speaker still in
/// API mode has seen the same rounds and stopped.</item>
/// </list>
/// </summary>
internal sealed record ApiModeTiming(TimeSpan Period)
{
    public TimeSpan SelfFence => Period * 2;

    public TimeSpan Fresh => Period * 3;

    public TimeSpan SelfFresh => Period * 1.5;

    public TimeSpan EntryWait => Period;

    public TimeSpan JoinHold => Period / 2;

    public TimeSpan ReturnHold { get; init; } = TimeSpan.FromMilliseconds(500);
}
