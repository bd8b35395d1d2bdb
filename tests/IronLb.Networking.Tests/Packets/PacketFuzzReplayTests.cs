using System.Text;
using CsCheck;
using IronLb.Networking.Interfaces;
using IronLb.Networking.Packets;
using IronLb.Networking.Responders;

namespace IronLb.Networking.Tests.Packets;

/// <summary>
/// The fuzzer's kept corpora (fuzz/corpus/arp, ndp, sysfs) replayed through the responders and the sysfs parser,
/// and mutations of them: no exception, and a reply only with DropReason.None.
/// </summary>
public sealed class PacketFuzzReplayTests
{
    private static readonly AnnounceTable Table = AnnounceTable.Empty
        .With(System.Net.IPAddress.Parse("192.0.2.10"), InterfaceSelection.All)
        .With(System.Net.IPAddress.Parse("2001:db8::10"), InterfaceSelection.All);

    [Theory]
    [InlineData("arp")]
    [InlineData("ndp")]
    [InlineData("sysfs")]
    public void Every_kept_fuzz_input_is_answered_without_throwing(string target)
    {
        var inputs = FuzzCorpus.Inputs(target);
        Assert.NotEmpty(inputs);
        foreach (var (_, bytes) in inputs)
        {
            Run(target, bytes);
        }
    }

    [Theory]
    [InlineData("arp")]
    [InlineData("ndp")]
    [InlineData("sysfs")]
    public void Mutated_corpus_inputs_are_answered_without_throwing(string target)
    {
        var inputs = FuzzCorpus.Inputs(target);
        Gen.ULong.Sample(seed => Run(target, FuzzCorpus.Mutate(inputs, seed)), iter: 2_000);
    }

    [Fact]
    public void Random_sysfs_text_parses_or_refuses() =>
        Gen.Char["0123456789abcdefxX:- \n\t+"].Array[0, 120].Sample(chars => Run("sysfs", Encoding.UTF8.GetBytes(chars)), iter: 2_000);

    private static void Run(string target, byte[] bytes)
    {
        var reply = new byte[256];
        switch (target)
        {
            case "arp":
                var arp = new ArpResponder("fuzz0", Frames.Node).Process(bytes, Table, reply, out var n, out _);
                Assert.Equal(arp == DropReason.None, n > 0);
                break;
            case "ndp":
                var ndp = new NdpResponder("fuzz0", Frames.Node).Process(bytes, Table, reply, out n, out _);
                Assert.Equal(ndp == DropReason.None, n > 0);
                break;
            default:
                var text = Encoding.UTF8.GetString(bytes);
                _ = SysfsParser.ParseFlags(text);
                _ = SysfsParser.ParseInt(text);
                _ = SysfsParser.ParseMac(text);
                _ = SysfsParser.ParseLinkLocals(text);
                break;
        }
    }
}
