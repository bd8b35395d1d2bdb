using System.Buffers.Binary;
using IronLb.Bgp.Wire;

namespace IronLb.Bgp.Session;

/// <summary>Either the negotiated terms, or the NOTIFICATION that refuses the peer's OPEN.</summary>
public readonly record struct NegotiationResult(NegotiatedSession? Session, NotificationMessage? Refusal);

/// <summary>
/// Our OPEN, and the judgement of the peer's (RFC 4271 §6.2, RFC 5492, RFC 4760, RFC 6793, RFC 4724). The codec
/// already checks some of this with a <see cref="BgpDecodeContext"/>; the checks here are repeated because the
/// decoder cannot know the dynamic-ASN rule, and a message built in memory never went through it.
/// </summary>
public static class OpenNegotiation
{
    private const byte UnsupportedCapability = 7;

    public static OpenMessage BuildOpen(BgpSessionConfig config)
    {
        var capabilities = new List<Capability>();
        foreach (var family in config.Families)
        {
            capabilities.Add(new MultiprotocolCapability(family.Afi, family.Safi));
        }

        // Route refresh costs us nothing (we re-send what we announce) and spares the peer a reset to see our routes again.
        capabilities.Add(new RouteRefreshCapability());
        if (config.GracefulRestart)
        {
            var families = new List<GracefulRestartFamily>();
            foreach (var family in config.Families)
            {
                // The forwarding bit: the Service addresses keep working on the node while its speaker restarts.
                families.Add(new GracefulRestartFamily(family.Afi, family.Safi, GracefulRestartFamily.ForwardingStateFlag));
            }

            var restart = (ushort)Math.Min(GracefulRestartCapability.MaxRestartTime, (int)config.RestartTime.TotalSeconds);
            capabilities.Add(new GracefulRestartCapability(0, restart, [.. families]));
        }

        return OpenMessage.Create(config.LocalAsn, HoldSeconds(config), config.RouterId, capabilities);
    }

    public static NegotiationResult Negotiate(BgpSessionConfig config, OpenMessage open)
    {
        if (open.Version != BgpConstants.Version)
        {
            // RFC 4271 §6.2: the data is the largest version we support, two octets.
            return Refuse(1, [0, BgpConstants.Version]);
        }

        var peerAsn = open.Asn;
        if (!config.Accepts(peerAsn))
        {
            return Refuse(2, []);
        }

        var internalPeer = config.IsInternal(peerAsn);
        if (open.BgpIdentifier == 0 || (internalPeer && open.BgpIdentifier == config.RouterId))
        {
            // RFC 6286 §2.2: identifiers must differ within an AS; across ASes an equal one is allowed.
            return Refuse(3, []);
        }

        if (open.HoldTime is 1 or 2)
        {
            return Refuse(6, []);
        }

        var fourOctet = open.Has(CapabilityCode.FourOctetAs);
        if (!fourOctet && config.LocalAsn > ushort.MaxValue)
        {
            // Our OPEN said AS_TRANS; without the capability the peer would see every path from us as AS 23456,
            // and we do not write AS4_PATH. RFC 5492 §3: refuse naming the capability we need.
            Span<byte> data = [(byte)CapabilityCode.FourOctetAs, 4, 0, 0, 0, 0];
            BinaryPrimitives.WriteUInt32BigEndian(data[2..], config.LocalAsn);
            return Refuse(UnsupportedCapability, data);
        }

        var families = CommonFamilies(config, open);
        if (families.Count == 0)
        {
            // Nothing we could announce: say which families we wanted rather than idle on a useless session.
            var data = new List<byte>();
            foreach (var family in config.Families)
            {
                data.AddRange([(byte)CapabilityCode.Multiprotocol, 4, (byte)((ushort)family.Afi >> 8), (byte)family.Afi, 0, (byte)family.Safi]);
            }

            return Refuse(UnsupportedCapability, [.. data]);
        }

        var hold = TimeSpan.FromSeconds(Math.Min(HoldSeconds(config), open.HoldTime));
        var keepalive = TimeSpan.Zero;
        if (hold > TimeSpan.Zero)
        {
            keepalive = TimeSpan.FromSeconds(Math.Max(1, (int)hold.TotalSeconds / 3));
            if (config.KeepaliveTime is { } configured && configured > TimeSpan.Zero && configured < keepalive)
            {
                keepalive = TimeSpan.FromSeconds(Math.Max(1, (int)configured.TotalSeconds));
            }
        }

        GracefulRestartCapability? peerRestart = null;
        foreach (var capability in open.Capabilities)
        {
            if (capability is GracefulRestartCapability restart)
            {
                peerRestart = restart;
                break;
            }
        }

        var session = new NegotiatedSession(
            peerAsn,
            open.BgpIdentifier,
            hold,
            keepalive,
            fourOctet,
            [.. families],
            open.Has(CapabilityCode.RouteRefresh),
            config.GracefulRestart && peerRestart is not null,
            TimeSpan.FromSeconds(peerRestart?.RestartTime ?? 0));
        return new NegotiationResult(session, null);
    }

    /// <summary>
    /// Ours intersected with the peer's. A peer that offers no multiprotocol capability speaks IPv4 unicast only
    /// (RFC 4760 §8), so IPv4 still works with a speaker that predates it.
    /// </summary>
    private static List<BgpFamily> CommonFamilies(BgpSessionConfig config, OpenMessage open)
    {
        var offered = new List<BgpFamily>();
        foreach (var capability in open.Capabilities)
        {
            if (capability is MultiprotocolCapability mp)
            {
                offered.Add(new BgpFamily(mp.Afi, mp.Safi));
            }
        }

        if (offered.Count == 0)
        {
            offered.Add(BgpFamily.Ipv4Unicast);
        }

        var common = new List<BgpFamily>();
        foreach (var family in config.Families)
        {
            if (offered.Contains(family) && !common.Contains(family))
            {
                common.Add(family);
            }
        }

        return common;
    }

    /// <summary>Our offer in whole seconds; 1 and 2 are not valid on the wire (RFC 4271 §4.2), so they become 3.</summary>
    private static ushort HoldSeconds(BgpSessionConfig config) => Seconds(config.HoldTime) is 1 or 2 ? (ushort)3 : Seconds(config.HoldTime);

    private static ushort Seconds(TimeSpan time) => (ushort)Math.Clamp((long)time.TotalSeconds, 0, ushort.MaxValue);

    private static NegotiationResult Refuse(byte subcode, ReadOnlySpan<byte> data) =>
        new(null, new NotificationMessage(BgpFaults.OpenMessageError, subcode, EquatableArray.Create(data)));
}
