namespace IronLb.Networking.Ebpf;

/// <summary>
/// The one tc ingress program on each interface with a responder: ARP requests go to the ARP part, IPv6
/// to the NDP part, and every other frame is handed on after one load and two comparisons. One program
/// rather than one per protocol, because every frame on the interface pays for each program it passes.
/// Both parts answer only until the <see cref="DeadlineGate"/>'s deadline, checked once a request is known
/// to be for an announced address, so other traffic never pays for the clock.
/// </summary>
internal static class ReplyProgram
{
    public const string Name = "ironlb_l2";

    public static EbpfInstruction[] Build(int arpMapFd, int ndpMapFd, DeadlineGate deadline)
    {
        var a = new EbpfAssembler();
        var pass = EbpfAssembler.NewLabel();
        var arp = EbpfAssembler.NewLabel();

        a.Mov(Reg.R6, Reg.R1);
        TcProgram.LoadFrame(a, Packets.EthernetHeader.Length, pass);
        a.Load(Width.Half, Reg.R4, Reg.R2, 12)
         .JumpIf(Condition.Equal, Reg.R4, 0x0608, arp)
         .JumpIf(Condition.NotEqual, Reg.R4, 0xDD86, pass);
        NdpReplyProgram.Emit(a, ndpMapFd, deadline, pass);
        a.Mark(arp);
        ArpReplyProgram.Emit(a, arpMapFd, deadline, pass);
        TcProgram.Pass(a, pass);
        return a.Build();
    }
}
