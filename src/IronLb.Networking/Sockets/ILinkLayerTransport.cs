namespace IronLb.Networking.Sockets;

/// <summary>Whole Ethernet frames in and out of one interface; the real one is <see cref="PacketSocket"/>.</summary>
internal interface ILinkLayerTransport : IDisposable
{
    /// <summary>
    /// Receives one frame into <paramref name="buffer"/> and returns its length; returns 0 after a short
    /// timeout with nothing received, so the receive loop can notice that it should stop.
    /// </summary>
    int Receive(Span<byte> buffer);

    /// <summary>Receives one frame if one is queued, without waiting; returns 0 when none is.</summary>
    int TryReceive(Span<byte> buffer);

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
    /// <summary>
    /// The receive lanes of the ARP responder: one transport per entry of <paramref name="laneCpus"/>, each
    /// receiving the frames that CPU took in; a single transport receiving everything when it is empty.
    /// </summary>
    IReadOnlyList<ILinkLayerTransport> OpenArp(int interfaceIndex, ReadOnlySpan<int> laneCpus);

    /// <summary>The NDP responder's lanes, as <see cref="OpenArp"/>.</summary>
    IReadOnlyList<ILinkLayerTransport> OpenNdp(int interfaceIndex, ReadOnlySpan<int> laneCpus);

    IMulticastGroups OpenGroups(int interfaceIndex);

    /// <summary>Where the responder lanes run, given the options: the real platform asks the kernel which CPUs it may use.</summary>
    Responders.ResponderPlacement Placement(Layer2Options options);

    /// <summary>
    /// The in-kernel responders (maps and programs, attached to nothing yet); null where the platform has
    /// none. Throws <see cref="Ebpf.BpfException"/> when the kernel refuses them.
    /// </summary>
    Ebpf.IKernelResponder? OpenKernelResponder();

    /// <summary>Calls <paramref name="onChange"/> when links or addresses change; null where the platform cannot tell.</summary>
    IDisposable? WatchInterfaces(Action onChange);
}
