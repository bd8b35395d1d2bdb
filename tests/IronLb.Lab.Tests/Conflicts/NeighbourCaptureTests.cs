namespace IronLb.Lab.Tests.Conflicts;

/// <summary>tcpdump's lines (-n -e -tt) as the conflict tests and bench read them: what each frame is and what it claims.</summary>
public sealed class NeighbourCaptureTests
{
    private const string Node = "5e:2d:e6:3a:9f:f6";

    public static TheoryData<string, NeighbourFrameKind, string, string?, bool, bool, bool> Lines { get; } = new()
    {
        // A gratuitous ARP request (sender = target): a claim, sent to everyone.
        { $"1733500000.250000 {Node} > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.200 tell 192.0.2.200, length 28",
            NeighbourFrameKind.ArpRequest, "192.0.2.200", "192.0.2.200", true, true, false },
        // The same, as tcpdump prints it when the target hardware address is set.
        { $"1733500000.250000 {Node} > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.200 (ff:ff:ff:ff:ff:ff) tell 192.0.2.200, length 28",
            NeighbourFrameKind.ArpRequest, "192.0.2.200", "192.0.2.200", true, true, false },
        // An RFC 5227 probe: sender 0.0.0.0, claims nothing.
        { $"1733500000.5 {Node} > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.200 tell 0.0.0.0, length 28",
            NeighbourFrameKind.ArpRequest, "192.0.2.200", "0.0.0.0", false, false, true },
        // A client asking: no claim, no probe.
        { $"1733500000.5 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.200 tell 192.0.2.1, length 28",
            NeighbourFrameKind.ArpRequest, "192.0.2.200", "192.0.2.1", false, false, false },
        // A reply to the client: a claim, but to one asker.
        { $"1733500000.6 {Node} > 02:00:00:00:00:01, ethertype ARP (0x0806), length 42: Reply 192.0.2.200 is-at {Node}, length 28",
            NeighbourFrameKind.ArpReply, "192.0.2.200", null, true, false, false },
        // A gratuitous reply (arping -A) to broadcast.
        { $"1733500000.6 {Node} > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Reply 192.0.2.200 is-at {Node}, length 28",
            NeighbourFrameKind.ArpReply, "192.0.2.200", null, true, true, false },
        // A DAD probe: a solicitation from ::.
        { $"1733500001.1 {Node} > 33:33:ff:16:00:01, ethertype IPv6 (0x86dd), length 78: :: > ff02::1:ff16:1: ICMP6, neighbor solicitation, who has 2001:db8:3a::16:1, length 24",
            NeighbourFrameKind.Solicitation, "2001:db8:3a::16:1", "::", false, false, true },
        // An ordinary solicitation: no probe.
        { $"1733500001.1 02:00:00:00:00:01 > 33:33:ff:16:00:01, ethertype IPv6 (0x86dd), length 86: 2001:db8:3a::1 > ff02::1:ff16:1: ICMP6, neighbor solicitation, who has 2001:db8:3a::16:1, length 32",
            NeighbourFrameKind.Solicitation, "2001:db8:3a::16:1", "2001:db8:3a::1", false, false, false },
        // An unsolicited advertisement to all nodes: a claim to everyone.
        { $"1733500001.2 {Node} > 33:33:00:00:00:01, ethertype IPv6 (0x86dd), length 86: fe80::5c2d:e6ff:fe3a:9ff6 > ff02::1: ICMP6, neighbor advertisement, tgt is 2001:db8:3a::16:1, length 32",
            NeighbourFrameKind.Advertisement, "2001:db8:3a::16:1", "fe80::5c2d:e6ff:fe3a:9ff6", true, true, false },
        // A solicited advertisement to the client: a claim to one asker.
        { $"1733500001.2 {Node} > 02:00:00:00:00:01, ethertype IPv6 (0x86dd), length 86: 2001:db8:3a::16:1 > 2001:db8:3a::1: ICMP6, neighbor advertisement, tgt is 2001:db8:3a::16:1, length 32",
            NeighbourFrameKind.Advertisement, "2001:db8:3a::16:1", "2001:db8:3a::16:1", true, false, false },
    };

    [Theory]
    [MemberData(nameof(Lines))]
    public void A_line_reads_as_its_frame_with_what_it_claims(string line, NeighbourFrameKind kind, string target, string? sender, bool claims, bool announces, bool probes)
    {
        var frame = NeighbourCapture.Parse(line);

        Assert.NotNull(frame);
        Assert.Equal((kind, target, sender), (frame.Kind, frame.Target, frame.SenderIp));
        Assert.Equal((claims, announces, probes), (frame.Claims(target), frame.Announces(target), frame.Probes(target)));
        Assert.False(frame.Claims("192.0.2.99"));
    }

    [Fact]
    public void Times_and_macs_are_read_lower_case()
    {
        var frame = NeighbourCapture.Parse("1733500000.250001 5E:2D:E6:3A:9F:F6 > FF:FF:FF:FF:FF:FF, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.200 tell 192.0.2.200, length 28")!;

        Assert.Equal(1733500000.250001, frame.Time, 6);
        Assert.Equal((Node, "ff:ff:ff:ff:ff:ff"), (frame.SourceMac, frame.DestinationMac));
    }

    [Theory]
    [InlineData("")]
    [InlineData("tcpdump: verbose output suppressed, use -v[v]... for full protocol decode")]
    [InlineData("1733500000.25 5e:2d:e6:3a:9f:f6 > 02:00:00:00:00:01, ethertype IPv4 (0x0800), length 74: 192.0.2.1.40000 > 192.0.2.200.80: Flags [S]")]
    [InlineData("1733500000.25 5e:2d:e6:3a:9f:f6 > 33:33:00:00:00:02, ethertype IPv6 (0x86dd), length 70: fe80::1 > ff02::2: ICMP6, router solicitation, length 16")]
    public void Anything_else_is_no_frame(string line) => Assert.Null(NeighbourCapture.Parse(line));
}
