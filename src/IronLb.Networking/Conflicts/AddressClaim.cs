using System.Net;
using IronLb.Networking.Packets;

namespace IronLb.Networking.Conflicts;

/// <summary>
/// One foreign frame claiming an address, seen on <paramref name="Interface"/>. <paramref name="Sender"/> is the
/// claimant's MAC: the ARP sender hardware address, or the advertisement's target link-layer option, else the
/// Ethernet source. Frames from the interface's own MAC never claim; telling other IronLB nodes apart is the caller's.
/// </summary>
public readonly record struct AddressClaim(string Interface, IPAddress Address, MacAddress Sender, ClaimKind Kind);
