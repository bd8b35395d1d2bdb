using IronLb.Networking.Packets;
using IronLb.Testing.Network;

namespace IronLb.Networking.Tests.Network;

/// <summary>This project's use of the shared topology: its name prefix, its IPv6 subnets, MACs as <see cref="MacAddress"/>.</summary>
internal static class Lan
{
    public static Task<LanTopology> CreateAsync() => LanTopology.CreateAsync("ilbt-", "2001:db8:2::", "2001:db8:3::");

    public static async Task<MacAddress> MacAsync(this LanTopology topology, string ns, string device) =>
        MacAddress.Parse(await topology.MacTextAsync(ns, device).ConfigureAwait(false));
}
