using System.Net;
using System.Net.Sockets;
using IronLb.Testing.Network;

namespace IronLb.Deploy.Tests.Smoke;

/// <summary>
/// 127.0.0.1:<see cref="Port"/> inside one of the test's network namespaces, spliced to a port on this machine's own
/// loopback: how a speaker in a node namespace reaches KubeSim, which listens on the host's 127.0.0.1 only. The
/// listening socket is made inside the namespace (<see cref="NetworkNamespace.Run{T}"/>), the onward connections in the
/// test process's own, so no interface, route or address is added anywhere. Bytes are copied as they are (TLS
/// included) until either side closes; a watch is one long connection.
/// </summary>
internal sealed class LoopbackRelay : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    private LoopbackRelay(Socket listener, IPEndPoint target)
    {
        _listener = listener;
        _target = target;
        Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        _accepting = AcceptAsync();
    }

    /// <summary>The port on 127.0.0.1 inside the namespace.</summary>
    public int Port { get; }

    public static LoopbackRelay Start(string ns, int targetPort)
    {
        var listener = NetworkNamespace.Run(ns, () =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            socket.Listen();
            return socket;
        });
        return new LoopbackRelay(listener, new IPEndPoint(IPAddress.Loopback, targetPort));
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = SpliceAsync(client);
        }
    }

    private async Task SpliceAsync(Socket client)
    {
        using var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        using (client)
        {
            try
            {
                await upstream.ConnectAsync(_target, either.Token);
                await using var inside = new NetworkStream(client, ownsSocket: false);
                await using var outside = new NetworkStream(upstream, ownsSocket: false);
                Task[] copies = [inside.CopyToAsync(outside, either.Token), outside.CopyToAsync(inside, either.Token)];
                // One side closing ends the other direction too: a half-open watch would otherwise outlive its client.
                await Task.WhenAny(copies);
                await either.CancelAsync();
                await Task.WhenAll(copies);
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
            {
                // The client or KubeSim went away: this connection ends, the relay goes on.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _accepting;
        _stop.Dispose();
    }
}
