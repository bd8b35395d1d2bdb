namespace IronLb.Networking.Conflicts;

/// <summary>What a foreign frame said about one address: the ways another host shows that it uses or wants it.</summary>
public enum ClaimKind : byte
{
    /// <summary>An ARP reply whose sender IP is the address.</summary>
    ArpReply,

    /// <summary>An ARP request whose sender IP and target IP are both the address (a gratuitous ARP, RFC 5227 §2.3).</summary>
    ArpAnnouncement,

    /// <summary>Any other ARP request whose sender IP is the address: a host using it.</summary>
    ArpSender,

    /// <summary>An ARP request from 0.0.0.0 whose target is the address: another host probing for it (RFC 5227 §2.1.1).</summary>
    ArpProbe,

    /// <summary>A neighbour advertisement whose target is the address.</summary>
    NeighborAdvertisement,

    /// <summary>A neighbour solicitation from :: whose target is the address: another host's Duplicate Address Detection.</summary>
    DadProbe,
}
