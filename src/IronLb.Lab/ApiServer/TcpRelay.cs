using System.Net;
using System.Net.Sockets;

namespace IronLb.Lab.ApiServer;

/// <summary>
/// Accepts TCP connections on a lab's management address and splices each to KubeSim's loopback listener.
/// KubeSim listens on 127.0.0.1 only; the speakers run in node namespaces, where that address is their own,
/// so they reach the API through this relay on the host end of the management LAN. Long watches are just
/// long connections: bytes are copied both ways until either side closes.
/// </summary>
internal sealed class TcpRelay(IPEndPoint listen, IPEndPoint target) : IAsyncDisposable
{
    private static readonly IPNetwork[] DocumentationPrefixes =
        [IPNetwork.Parse("192.0.2.0/24"), IPNetwork.Parse("198.51.100.0/24"), IPNetwork.Parse("203.0.113.0/24"), IPNetwork.Parse("2001:db8::/32")];

    private readonly CancellationTokenSource _stop = new();
    private TcpListener? _listener;
    private Task? _accepting;

    /// <summary>Only documentation prefixes: the relay must never open the API on a real network.</summary>
    public static bool IsAllowed(IPAddress address) =>
        DocumentationPrefixes.Any(n => n.Contains(address));

    public void Start()
    {
        _listener = new TcpListener(listen);
        _listener.Start();
        _accepting = AcceptAsync(_listener, _stop.Token);
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            _ = SpliceAsync(client, cancellationToken);
        }
    }

    private async Task SpliceAsync(Socket client, CancellationToken cancellationToken)
    {
        using (client)
        using (var server = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp))
        {
            try
            {
                client.NoDelay = true;
                server.NoDelay = true;
                await server.ConnectAsync(target, cancellationToken).ConfigureAwait(false);
                await using var a = new NetworkStream(client, ownsSocket: false);
                await using var b = new NetworkStream(server, ownsSocket: false);
                // A clean end of one direction is passed on as a half close and the other may finish; a reset or
                // error ends both at once, so a killed client never leaves a watch open upstream.
                var up = CopyAsync(a, b, server, cancellationToken);
                var down = CopyAsync(b, a, client, cancellationToken);
                var first = await Task.WhenAny(up, down).ConfigureAwait(false);
                if (await first.ConfigureAwait(false))
                {
                    await Task.WhenAll(up, down).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
            {
                // A client or KubeSim went away: drop this connection only.
            }
        }
    }

    /// <summary>True when the source closed cleanly (and the close was passed on).</summary>
    private static async Task<bool> CopyAsync(Stream from, Stream to, Socket toSocket, CancellationToken cancellationToken)
    {
        try
        {
            await from.CopyToAsync(to, cancellationToken).ConfigureAwait(false);
            toSocket.Shutdown(SocketShutdown.Send);
            return true;
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // Ends the splice; the caller disposes both sockets.
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener?.Stop();
        if (_accepting is not null)
        {
            await _accepting.ConfigureAwait(false);
        }

        _stop.Dispose();
    }
}
