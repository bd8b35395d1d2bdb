using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IronLb.Testing.Network;
using static IronLb.Testing.ProcessRunner;

namespace IronLb.Chaos;

/// <summary>
/// The fault injectors: nftables rules in one node's namespace only (a table of their own, removed whole by
/// <see cref="HealAsync"/>), and a flood source on the lab's management LAN. Drops, never rejects: a black hole
/// gives the sender no answer at all, which is what a dead link or a hung peer looks like.
/// </summary>
internal static class Faults
{
    public const string Table = "ilbfault";
    public const int MembershipPort = 7947;

    /// <summary>Runs before the nftables input/output hooks of the lab's own rules would, and before any socket sees the packet.</summary>
    private const string Chains = """
        chain input { type filter hook input priority -10; policy accept; }
        chain output { type filter hook output priority -10; policy accept; }
        """;

    /// <summary>Root, the network tools and nftables; skips locally without them, fails in CI.</summary>
    public static void RequireTools()
    {
        Requirements.RootAndTools();
        Requirements.Tool("nft", "the fault matrix (.ci/run installs nftables)");
        Requirements.Tool("setpriv", "the fault matrix's controller replicas (util-linux)");
    }

    /// <summary>The node's address on the management LAN, where its speaker talks membership.</summary>
    public static async Task<IPAddress> ManagementAddressAsync(string nodeNetns)
    {
        using var json = JsonDocument.Parse(await Ip.IpAsync("-n", nodeNetns, "-j", "-4", "addr", "show", "dev", "mgmt0"));
        return IPAddress.Parse(json.RootElement[0].GetProperty("addr_info")[0].GetProperty("local").GetString()!);
    }

    /// <summary>Every membership datagram in and out of the node, on UDP 7947 either way; the API and the LAN stay up.</summary>
    public static Task DropHeartbeatsAsync(string netns) => NftAsync(netns, $$"""
        table inet {{Table}} {
        {{Chains}}
        }
        add rule inet {{Table}} input udp dport {{MembershipPort}} counter drop
        add rule inet {{Table}} input udp sport {{MembershipPort}} counter drop
        add rule inet {{Table}} output udp dport {{MembershipPort}} counter drop
        add rule inet {{Table}} output udp sport {{MembershipPort}} counter drop
        """);

    /// <summary>
    /// Packets between the node and the API server dropped both ways. With <paramref name="uid"/>, only those of
    /// that user's sockets (a controller replica beside the root speaker): output matches the owner, and marks
    /// the connection, so the API server's replies on it are dropped too (input has no owner to match).
    /// </summary>
    public static Task BlackHoleApiAsync(string netns, IPEndPoint api, int? uid = null)
    {
        var (address, port) = (api.Address.ToString(), api.Port.ToString(CultureInfo.InvariantCulture));
        var rules = uid is { } owner
            ? $"""
                add rule inet {Table} output meta skuid {owner.ToString(CultureInfo.InvariantCulture)} ip daddr {address} tcp dport {port} ct mark set 0x1f counter drop
                add rule inet {Table} input ct mark 0x1f ip saddr {address} tcp sport {port} counter drop
                """
            : $"""
                add rule inet {Table} output ip daddr {address} tcp dport {port} counter drop
                add rule inet {Table} input ip saddr {address} tcp sport {port} counter drop
                """;
        return NftAsync(netns, $$"""
            table inet {{Table}} {
            {{Chains}}
            }
            {{rules}}
            """);
    }

    /// <summary>Removes every fault rule of the namespace (none there is fine).</summary>
    public static Task HealAsync(string netns) => RunAsync("ip", "netns", "exec", netns, "nft", "delete", "table", "inet", Table);

    /// <summary>Packets the fault rules of the namespace dropped so far: proof a row tested something.</summary>
    public static async Task<long> DroppedAsync(string netns)
    {
        var listing = await CheckAsync("ip", "netns", "exec", netns, "nft", "-j", "list", "table", "inet", Table);
        using var json = JsonDocument.Parse(listing);
        return json.RootElement.GetProperty("nftables").EnumerateArray()
            .Where(e => e.TryGetProperty("rule", out _))
            .SelectMany(e => e.GetProperty("rule").GetProperty("expr").EnumerateArray())
            .Where(x => x.TryGetProperty("counter", out _))
            .Sum(x => x.GetProperty("counter").GetProperty("packets").GetInt64());
    }

    /// <summary>
    /// An address on the management LAN that is no speaker's (the subnet's base + 30: past the host (.1) and the
    /// nodes (.11–.19), inside even a /27), put on the LAN namespace's management bridge.
    /// </summary>
    /// <param name="lanNamespace">The lab's LAN namespace (LabNames.LanNamespace), where the bridges are.</param>
    /// <param name="nodeNetns">Any node's namespace: its management address gives the subnet.</param>
    public static async Task<IPAddress> AddFloodSourceAsync(string lanNamespace, string nodeNetns)
    {
        var (source, prefix) = await FloodSourceAsync(nodeNetns);
        await Ip.IpAsync("-n", lanNamespace, "addr", "replace", $"{source}/{prefix}", "dev", ManagementBridge);
        return source;
    }

    public static async Task RemoveFloodSourceAsync(string lanNamespace, string nodeNetns)
    {
        var (source, prefix) = await FloodSourceAsync(nodeNetns);
        await RunAsync("ip", "-n", lanNamespace, "addr", "del", $"{source}/{prefix}", "dev", ManagementBridge);
    }

    /// <summary>
    /// Datagrams a speaker cannot tell from heartbeats by their header: membership v1's (ILBM, version 1,
    /// heartbeat) and v2's (ILB2, version 2, heartbeat), each with a sender name or id and a MAC of random bytes.
    /// Only the MAC is wrong, and only a MAC check could find that out: the cost the pre-filter must avoid.
    /// </summary>
    public static ReadOnlyMemory<byte>[] FloodPayloads()
    {
        var v1 = new byte[4 + 1 + 1 + 2 + 32 + 1 + 8 + 2 + 32];
        BinaryPrimitives.WriteUInt32BigEndian(v1, 0x494C424D);
        v1[4] = 1;
        v1[5] = 1;
        RandomNumberGenerator.Fill(v1.AsSpan(8, 32));
        v1[40] = 8;
        Encoding.ASCII.GetBytes("intruder").CopyTo(v1, 41);
        RandomNumberGenerator.Fill(v1.AsSpan(v1.Length - 32));

        var v2 = new byte[32 + 36 + 16];
        BinaryPrimitives.WriteUInt32BigEndian(v2, 0x494C4232);
        v2[4] = 2;
        v2[5] = 1;
        RandomNumberGenerator.Fill(v2.AsSpan(8));
        return [v1, v2];
    }

    private const string ManagementBridge = "br-mgmt";

    private static async Task<(IPAddress Address, int Prefix)> FloodSourceAsync(string nodeNetns)
    {
        using var json = JsonDocument.Parse(await Ip.IpAsync("-n", nodeNetns, "-j", "-4", "addr", "show", "dev", "mgmt0"));
        var info = json.RootElement[0].GetProperty("addr_info")[0];
        var prefix = info.GetProperty("prefixlen").GetInt32();
        var node = BinaryPrimitives.ReadUInt32BigEndian(IPAddress.Parse(info.GetProperty("local").GetString()!).GetAddressBytes());
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, (node & (uint.MaxValue << (32 - prefix))) + 30);
        return (new IPAddress(bytes), prefix);
    }

    private static async Task NftAsync(string netns, string script)
    {
        var result = await RunAsync(StartInfo("ip", ["netns", "exec", netns, "nft", "-f", "-"]), DefaultHangGuard, script);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"nft in {netns}: {result}\n{script}");
        }
    }
}
