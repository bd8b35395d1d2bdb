namespace IronLb.Speaker.Membership;

/// <summary>A datagram to send to one peer (by node name; the transport maps names to endpoints).</summary>
internal readonly record struct OutgoingMessage(string Destination, ReadOnlyMemory<byte> Payload);
