using System.Collections.Immutable;
using IronLb.Networking;
using IronLb.Networking.Conflicts;

namespace IronLb.Speaker.Conflicts;

/// <summary>
/// The guard's view of the wire, over IronLb.Networking: a probe round on every interface of a request at once
/// (<see cref="LanProber"/>), the responders' claims in the guard's terms, and defences through the announcer.
/// </summary>
internal static class LanConflictPort
{
    /// <summary>Runs one round per interface in parallel and merges what answered; an error counts only when no interface could tell.</summary>
    public static Func<ProbeRequest, CancellationToken, Task<ProbeResult>> Prober(LanProber prober, ConflictSettings settings)
    {
        ArgumentNullException.ThrowIfNull(prober);
        ArgumentNullException.ThrowIfNull(settings);
        var probe = new ProbeSettings { Count = settings.ProbeCount, Interval = settings.ProbeInterval, Wait = settings.ProbeWait };
        return async (request, cancellationToken) =>
        {
            var rounds = await Task.WhenAll(request.Interfaces.Select(i => prober.ProbeAsync(i, [request.Address], probe, cancellationToken))).ConfigureAwait(false);
            var outcomes = rounds.SelectMany(r => r).ToList();
            var answers = outcomes.SelectMany(o => o.Responders.Select(mac => new ForeignHost(o.Interface, mac.ToString()))).ToImmutableArray();
            var errors = outcomes.Where(o => o.Error is not null).Select(o => o.Error!).ToList();
            var failed = answers.IsEmpty && errors.Count == outcomes.Count && errors.Count > 0;
            return new ProbeResult(request.Address, answers, failed ? string.Join("; ", errors) : null);
        };
    }

    /// <summary>A responder's claim as the guard takes it: probes by another host only count against a round of ours.</summary>
    public static ObservedClaim Observed(AddressClaim claim) =>
        new(claim.Address, new ForeignHost(claim.Interface, claim.Sender.ToString()), Probe: claim.Kind is ClaimKind.ArpProbe or ClaimKind.DadProbe);

    public static Func<DefenceRequest, int> Defender(Layer2Announcer announcer)
    {
        ArgumentNullException.ThrowIfNull(announcer);
        return request => announcer.Defend(request.Address, request.Interface);
    }
}
