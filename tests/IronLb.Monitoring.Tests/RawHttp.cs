using System.Net;
using System.Net.Sockets;
using System.Text;

namespace IronLb.Monitoring.Tests;

/// <summary>A client that writes exact bytes and reads the exact answer, up to the server's close.</summary>
internal static class RawHttp
{
    /// <summary>How long a test waits for the server before failing: generous, never a measure of speed.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    public static async Task<Socket> ConnectAsync(IPAddress address, int port)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var deadline = new CancellationTokenSource(Deadline);
        await socket.ConnectAsync(new IPEndPoint(address, port), deadline.Token);
        return socket;
    }

    public static Task<Socket> ConnectAsync(Uri server) => ConnectAsync(IPAddress.Parse(server.Host.Trim('[', ']')), server.Port);

    /// <summary>Sends <paramref name="request"/> and returns everything the server sent until it closed.</summary>
    public static async Task<string> ExchangeAsync(Uri server, string request)
    {
        using var socket = await ConnectAsync(server);
        await socket.SendAsync(Encoding.Latin1.GetBytes(request));
        return await ReadToEndAsync(socket);
    }

    public static async Task<string> ReadToEndAsync(Socket socket)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        var received = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        return Encoding.UTF8.GetString(received.ToArray());
    }

    /// <summary>True when the server closed without answering: an orderly close with nothing sent, or a reset.</summary>
    public static async Task<bool> ClosedAsync(Task<string> reading)
    {
        try
        {
            return await reading == "";
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
    }

    /// <summary>The status line and the headers without Date (which moves with the clock).</summary>
    public static string WithoutDate(string response) =>
        string.Join("\r\n", response.Split("\r\n").Where(line => !line.StartsWith("Date: ", StringComparison.Ordinal)));
}
