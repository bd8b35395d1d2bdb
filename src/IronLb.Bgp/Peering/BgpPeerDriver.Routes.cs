using System.Collections.Immutable;
using IronLb.Bgp.Session;
using IronLb.Bgp.Wire;

namespace IronLb.Bgp.Peering;

/// <summary>The driver's routes: the full table when the session comes up, diffs after, the count of what cannot be sent.</summary>
public sealed partial class BgpPeerDriver
{
    private async Task SessionUpAsync(NegotiatedSession session)
    {
        var (v4, v6, linkLocal) = _connection!.NextHops(_endpoint);
        _context = new OutboundContext(_config.LocalAsn, session, v4, v6, linkLocal);
        _counts.SessionsEstablished++;
        _lastError = null;
        _loggedDialError = null;
        PeeringLog.SessionUp(_logger, _peer, session.HoldTime, session.Families);
        var full = AdjRibOut.Full(_desired, _context);
        _rib = full.Rib;
        ReportUnsendable();
        await SendAllAsync(full.Updates).ConfigureAwait(false);
    }

    private async Task SendDiffAsync()
    {
        if (_state.State != BgpState.Established || _context is not { } context)
        {
            return;
        }

        var change = _rib.Diff(_desired, context);
        _rib = change.Rib;
        ReportUnsendable();
        await SendAllAsync(change.Updates).ConfigureAwait(false);
    }

    private void ReportUnsendable()
    {
        if (_rib.UnsendableRoutes != _loggedUnsendable && _rib.UnsendableRoutes > 0)
        {
            PeeringLog.Unsendable(_logger, _peer, _rib.UnsendableRoutes);
        }

        _loggedUnsendable = _rib.UnsendableRoutes;
    }

    private async Task SendAllAsync(ImmutableArray<UpdateMessage> updates)
    {
        foreach (var update in updates)
        {
            if (_connection is null)
            {
                return;
            }

            await SendAsync(update).ConfigureAwait(false);
        }
    }
}
