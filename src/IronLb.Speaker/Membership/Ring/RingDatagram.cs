namespace IronLb.Speaker.Membership.Ring;

/// <summary>One datagram for the transport to send to member <paramref name="To"/> (a node name).</summary>
internal sealed record RingDatagram(string To, byte[] Payload);
