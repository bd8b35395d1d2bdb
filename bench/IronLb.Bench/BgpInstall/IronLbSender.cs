using System.Collections.Immutable;
using System.Net;
using IronLb.Bench.Startup;
using IronLb.Testing;

namespace IronLb.Bench.BgpInstall;

/// <summary>
/// IronLB's speaker as the sender: `ironlb speaker --manifests` in the sender's namespace (file mode, no API server),
/// reading one Node, two BGPPeers (the receiver's IPv4 and IPv6 link addresses) and a Service per IPv6 prefix, the
/// first ones dual-stack (<see cref="BenchManifests"/>), so it announces exactly the prefixes FRR's baseline does.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class IronLbSender(IronLbVariant variant) : IInstallSender
{
    private FileModeSpeaker.Run? _speaker;

    public string Label => "ironlb";

    public int BgpPid => _speaker?.Id ?? throw new InvalidOperationException("not started");

    /// <summary>The speaker's last lines of output, for a run that failed.</summary>
    public string Tail => _speaker?.Tail ?? "";

    public Task StartAsync(SenderPlace place, ImmutableArray<IPNetwork> ipv4, ImmutableArray<IPNetwork> ipv6)
    {
        var folder = BenchManifests.WriteFolder(Path.Combine(place.StateDirectory, "manifests"),
            BenchManifests.Bgp(place.Asn, place.ReceiverAsn, [place.Receiver4, place.Receiver6], ipv4, ipv6));
        _speaker = Start(place.Netns, variant, folder);
        return Task.CompletedTask;
    }

    /// <summary>`ip netns exec NETNS ironlb speaker --node bbnode --manifests FOLDER`; the pid is the speaker's own (ip execs it).</summary>
    public static FileModeSpeaker.Run Start(string netns, IronLbVariant variant, string folder) =>
        new(ProcessRunner.StartInfo("ip", ["netns", "exec", netns, .. variant.Command, "speaker", "--node", BenchManifests.Node, "--manifests", folder]));

    public async ValueTask DisposeAsync()
    {
        if (_speaker is not null)
        {
            await _speaker.StopAsync().ConfigureAwait(false);
            _speaker = null;
        }
    }
}
