using IronLb.Bgp.Peering;

namespace IronLb.Bgp.Tests.Peering;

/// <summary>The words the logs and the status put on a NOTIFICATION.</summary>
public sealed class NotificationTextTests
{
    [Theory]
    [InlineData(6, 2, "6/2 Cease: Administrative Shutdown")]
    [InlineData(6, 7, "6/7 Cease: Connection Collision Resolution")]
    [InlineData(4, 0, "4/0 Hold Timer Expired")]
    [InlineData(1, 1, "1/1 Message Header Error: Connection Not Synchronized")]
    [InlineData(2, 2, "2/2 OPEN Message Error: Bad Peer AS")]
    [InlineData(2, 6, "2/6 OPEN Message Error: Unacceptable Hold Time")]
    [InlineData(3, 1, "3/1 UPDATE Message Error: Malformed Attribute List")]
    [InlineData(5, 3, "5/3 Finite State Machine Error: Unexpected Message in Established")]
    [InlineData(2, 99, "2/99 OPEN Message Error: unknown subcode")]
    [InlineData(42, 1, "42/1 unknown error code: unknown subcode")]
    public void Describes_code_and_subcode(byte code, byte subcode, string expected)
    {
        Assert.Equal(expected, NotificationText.Describe(code, subcode));
    }
}
