using System.Collections.Immutable;
using System.Net;

namespace IronLb.Bench.BgpInstall;

/// <summary>Where the sender runs and whom it peers with: its namespace, its link addresses and the receiver's.</summary>
internal sealed record SenderPlace(string Netns, string StateDirectory, IPAddress Own4, IPAddress Own6, IPAddress Receiver4, IPAddress Receiver6, uint Asn, uint ReceiverAsn);

/// <summary>
/// The side that announces in `bgp-install`. FRR (<see cref="FrrSender"/>) is the baseline; IronLB's speaker
/// (<see cref="IronLbSender"/>) announces the same prefixes from the same place, and the bench prints both side by
/// side with the ratio.
/// </summary>
internal interface IInstallSender : IAsyncDisposable
{
    /// <summary>The variant's name in the output keys ("frr", "ironlb").</summary>
    string Label { get; }

    /// <summary>Starts announcing <paramref name="ipv4"/> over an IPv4 session and <paramref name="ipv6"/> over an IPv6 one.</summary>
    Task StartAsync(SenderPlace place, ImmutableArray<IPNetwork> ipv4, ImmutableArray<IPNetwork> ipv6);

    /// <summary>The process that holds the BGP sessions (bgpd, the speaker), which the bench kills with SIGKILL.</summary>
    int BgpPid { get; }
}
