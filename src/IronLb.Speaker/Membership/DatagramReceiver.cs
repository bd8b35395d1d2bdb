using System.Net;
using System.Net.Sockets;

namespace IronLb.Speaker.Membership;

/// <summary>What a membership protocol does with one datagram that reached its socket: the outcome, for the counters.</summary>
internal delegate ReceiveOutcome DatagramHandler(ReadOnlySpan<byte> datagram, IPEndPoint from);

/// <summary>
/// The receive loop both protocols share: read the socket until cancelled, hand each datagram to the protocol,
/// count every outcome and log refusals (rate-limited). A socket error from one peer never stops it.
/// </summary>
internal static class DatagramReceiver
{
    public static async Task RunAsync(UdpMembershipTransport transport, DatagramHandler handle, MembershipCounters counters, RefusalLog refusals, CancellationToken cancellationToken)
    {
        var buffer = new byte[MembershipCodec.MaxDatagram];
        while (!cancellationToken.IsCancellationRequested)
        {
            int length;
            IPEndPoint from;
            try
            {
                (length, from) = await transport.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                // ICMP port unreachable from a restarting peer surfaces here on some stacks; keep listening.
                continue;
            }

            var outcome = handle(buffer.AsSpan(0, length), from);
            counters.Count(outcome);
            if (outcome != ReceiveOutcome.Accepted)
            {
                refusals.Refused(outcome, from);
            }
        }
    }
}
