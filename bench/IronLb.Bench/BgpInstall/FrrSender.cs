using System.Collections.Immutable;
using System.Net;
using IronLb.Lab.Routers;

namespace IronLb.Bench.BgpInstall;

/// <summary>The baseline sender: FRR's bgpd announcing every prefix with a `network` statement.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class FrrSender : IInstallSender
{
    private FrrRouter? _router;

    public string Label => "frr";

    public int BgpPid => _router?.Processes.Single(p => p.Role == "frr-bgpd").Pid ?? throw new InvalidOperationException("not started");

    public async Task StartAsync(SenderPlace place, ImmutableArray<IPNetwork> ipv4, ImmutableArray<IPNetwork> ipv6)
    {
        _router = await FrrRouter.StartAsync(new RouterSpec(place.Netns, place.Netns, place.StateDirectory, place.Own4, place.Asn)
        {
            Neighbours = [new BgpNeighbour(place.Receiver4, RemoteAs.Of(place.ReceiverAsn)), new BgpNeighbour(place.Receiver6, RemoteAs.Of(place.ReceiverAsn))],
            Announce = [.. ipv4.Concat(ipv6).Select(p => new AnnouncedPrefix(p))],
        }).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_router is not null)
        {
            await _router.DisposeAsync().ConfigureAwait(false);
        }
    }
}
