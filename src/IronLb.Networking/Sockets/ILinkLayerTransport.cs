namespace IronLb.Networking.Sockets;

/// <summary>Whole Ethernet frames in and out of one interface; the real one is <see cref="PacketSocket"/>.</summary>
internal interface ILinkLayerTransport : IDisposable
{
    /// <summary>
    /// Receives one frame into <paramref name="buffer"/> and returns its length; returns 0 after a short
    /// timeout with nothing received, so the receive loop can notice that it should stop.
    /// </summary>
    int Receive(Span<byte> buffer);

    void Send(ReadOnlySpan<byte> frame);
}

/// <summary>Solicited-node group membership on one interface.</summary>
internal interface IMulticastGroups : IDisposable
{
    void Join(UInt128 group);

    void Leave(UInt128 group);
}

/// <summary>Opens the per-interface I/O; injected so the announcer is testable without root.</summary>
internal interface ILinkLayerPlatform
{
    ILinkLayerTransport OpenArp(int interfaceIndex);

    ILinkLayerTransport OpenNdp(int interfaceIndex);

    IMulticastGroups OpenGroups(int interfaceIndex);

    /// <summary>Calls <paramref name="onChange"/> when links or addresses change; null where the platform cannot tell.</summary>
    IDisposable? WatchInterfaces(Action onChange);
}
