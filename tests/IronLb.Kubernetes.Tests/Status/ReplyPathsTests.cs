using IronLb.Kubernetes.Status;

namespace IronLb.Kubernetes.Tests.Status;

/// <summary>The speaker's reply-path annotation: written from its responders, summarized for `ironlb status`.</summary>
public sealed class ReplyPathsTests
{
    [Theory]
    [InlineData("every responder in the kernel", "eno2/arp,eno2/ndp", "eno2/arp,eno2/ndp", "eno2/arp=kernel,eno2/ndp=kernel")]
    [InlineData("no kernel path (fallback or --kernel-replies=false)", "eno3/ndp,eno2/arp", "", "eno2/arp=userspace,eno3/ndp=userspace")]
    [InlineData("one protocol of an interface in the kernel", "eno2/arp,eno2/ndp", "eno2/arp", "eno2/arp=kernel,eno2/ndp=userspace")]
    [InlineData("a kernel attachment without a responder is not reported", "eno2/arp", "eno2/arp,eno9/arp", "eno2/arp=kernel")]
    [InlineData("no responders", "", "", "")]
    public void Format_lists_every_responder_sorted_with_its_path(string desc, string responders, string kernel, string expected)
    {
        Assert.NotEmpty(desc);
        Assert.Equal(expected, ReplyPaths.Format(Split(responders), Split(kernel)));
    }

    [Theory]
    [InlineData("an interface whose protocols agree is named alone", "eno2/arp=kernel,eno2/ndp=kernel,eno3/arp=kernel,eno3/ndp=kernel", "kernel: eno2, eno3")]
    [InlineData("kernel before userspace", "mgmt0/arp=userspace,mgmt0/ndp=userspace,eno2/arp=kernel,eno2/ndp=kernel", "kernel: eno2; userspace: mgmt0")]
    [InlineData("an interface split between paths is named per protocol", "eno2/arp=kernel,eno2/ndp=userspace", "kernel: eno2/arp; userspace: eno2/ndp")]
    [InlineData("an unknown path is kept, after the known ones", "eno2/arp=xdp,eno3/arp=kernel", "kernel: eno3; xdp: eno2")]
    [InlineData("an entry without a path is shown, not dropped", "eno2/arp", "?: eno2")]
    [InlineData("empty", "", "(no responders)")]
    public void Summarize_groups_by_path(string desc, string annotation, string expected)
    {
        Assert.NotEmpty(desc);
        Assert.Equal(expected, ReplyPaths.Summarize(annotation));
    }

    [Fact]
    public void Parse_reads_back_what_Format_writes()
    {
        var annotation = ReplyPaths.Format(["eno3/ndp", "eno2/arp", "eno2/ndp"], ["eno2/arp", "eno2/ndp"]);
        Assert.Equal([("eno2/arp", "kernel"), ("eno2/ndp", "kernel"), ("eno3/ndp", "userspace")], ReplyPaths.Parse(annotation));
    }

    private static string[] Split(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries);
}
