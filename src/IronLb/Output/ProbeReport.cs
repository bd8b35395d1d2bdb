using System.Collections.Immutable;
using System.Net;
using IronLb.Core.Planning;
using IronLb.Networking.Conflicts;

namespace IronLb.Output;

/// <summary>One probed address: who answered for it (foreign MACs, lower-case colon form) and the Services the plan gives it to.</summary>
internal sealed record ProbedAddress(string Address, ImmutableArray<string> Macs, ImmutableArray<string> Services, string? Error)
{
    public bool InUse => !Macs.IsEmpty;
}

/// <summary>
/// What `plan --probe INTERFACE` found: every address the plan hands to a Service, probed on that LAN, in the
/// plan's order. An address in use is a finding (exit 1): applying these manifests would take it from its owner.
/// </summary>
internal sealed record ProbeReport(string Interface, ImmutableArray<ProbedAddress> Addresses)
{
    public IEnumerable<ProbedAddress> InUse => Addresses.Where(a => a.InUse);

    /// <summary>The probe could not run for some address (a socket refused, the interface went away).</summary>
    public IEnumerable<string> Errors => Addresses.Select(a => a.Error).OfType<string>().Distinct(StringComparer.Ordinal);

    /// <summary>Every address the plan gives a Service (its IPS column), once each, in the order the plan lists them.</summary>
    public static ImmutableArray<IPAddress> AddressesOf(PlanResult result) =>
        [.. result.Services.SelectMany(s => s.Ips).Distinct(StringComparer.Ordinal)
            .Select(ip => IPAddress.TryParse(ip, out var address) ? address : null).OfType<IPAddress>()];

    /// <param name="interfaceName">Where it was probed.</param>
    /// <param name="result">The plan.</param>
    /// <param name="outcomes">What the LAN answered.</param>
    /// <param name="trusted">The cluster's own nodes' MACs (`--trust-mac`, lower-case colon form): their answers are not listed.</param>
    public static ProbeReport Create(string interfaceName, PlanResult result, IReadOnlyList<ProbeOutcome> outcomes, IReadOnlySet<string>? trusted = null)
    {
        var byAddress = outcomes.GroupBy(o => o.Address).ToDictionary(g => g.Key, g => g.ToList());
        var addresses = AddressesOf(result).Select(address =>
        {
            var found = byAddress.GetValueOrDefault(address) ?? [];
            var services = result.Services.Where(s => s.Ips.Any(ip => IPAddress.TryParse(ip, out var a) && a.Equals(address)))
                .Select(s => $"{s.Namespace}/{s.Name}").ToImmutableArray();
            var error = found.Select(o => o.Error).FirstOrDefault(e => e is not null)
                ?? (found.Count == 0 ? $"{address} was not probed" : null);
            var macs = found.Where(o => o.Error is null).SelectMany(o => o.Responders).Select(m => m.ToString())
                .Where(m => trusted?.Contains(m) != true).Distinct(StringComparer.Ordinal).ToImmutableArray();
            return new ProbedAddress(address.ToString(), macs, services, error);
        });
        return new ProbeReport(interfaceName, [.. addresses]);
    }
}
