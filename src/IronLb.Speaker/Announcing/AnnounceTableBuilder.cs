using System.Net;
using IronLb.Networking;
using CoreSelection = IronLb.Core.Announcement.InterfaceSelection;
using WireSelection = IronLb.Networking.InterfaceSelection;

namespace IronLb.Speaker.Announcing;

/// <summary>
/// Decisions to the announcer's table: every address of every announced Service, on the interfaces its
/// decision chose. Services sharing an address are merged as MetalLB's reference-counted announcer does
/// (§4.10): the address stays while any Service announces it, on the union of their interfaces, and on
/// all interfaces if any of them says all.
/// </summary>
internal static class AnnounceTableBuilder
{
    public static AnnounceTable Build(IEnumerable<ServiceDecision> decisions)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        var merged = new Dictionary<IPAddress, Accumulator>();
        foreach (var decision in decisions.Where(d => d.Announces))
        {
            foreach (var text in decision.Ips)
            {
                var ip = IPAddress.Parse(text);
                if (!merged.TryGetValue(ip, out var acc))
                {
                    merged[ip] = acc = new Accumulator();
                }

                acc.Add(decision.Interfaces);
            }
        }

        return AnnounceTable.Create(merged.Select(kv => KeyValuePair.Create(kv.Key, kv.Value.ToSelection())));
    }

    private sealed class Accumulator
    {
        private readonly SortedSet<string> _names = new(StringComparer.Ordinal);
        private bool _all;

        public void Add(CoreSelection selection)
        {
            _all |= selection.AllInterfaces;
            _names.UnionWith(selection.Interfaces);
        }

        public WireSelection ToSelection() => _all || _names.Count == 0 ? WireSelection.All : WireSelection.Only(_names);
    }
}
