using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace IronLb.Lab.Tests.Egress;

/// <summary>
/// The external client's side of an egress test: a TCP echo listener (both families) that records the source
/// address of every connection it accepts, and a capture of every SYN towards it with its source MAC and time.
/// Pods connect with <see cref="ConnectAsync"/>; what the world saw is read back from the client, never from the
/// speakers' logs.
/// </summary>
internal sealed class EgressProbe : IAsyncDisposable
{
    public const int Port = 2525;

    // Accepts on [::]:2525 for both families, reads one token line, echoes it, prints "token source".
    private const string Listener = """
        import socket,sys,threading
        s=socket.socket(socket.AF_INET6,socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)
        s.setsockopt(socket.IPPROTO_IPV6,socket.IPV6_V6ONLY,0)
        s.bind(('::',int(sys.argv[1])));s.listen(128)
        print('ready',flush=True)
        def serve(c,a):
            try:
                c.settimeout(5);d=c.recv(200).decode().strip();c.sendall(('echo '+d+'\n').encode());print(d,a[0],flush=True)
            except Exception:
                pass
            finally:
                c.close()
        while True:
            c,a=s.accept();threading.Thread(target=serve,args=(c,a),daemon=True).start()
        """;

    // Connects, sends the token, prints the echo; a non-zero exit when anything fails.
    private const string Connector = """
        import socket,sys
        c=socket.socket(socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET,socket.SOCK_STREAM)
        c.settimeout(float(sys.argv[4]))
        c.connect((sys.argv[1],int(sys.argv[2])));c.sendall((sys.argv[3]+'\n').encode())
        print(c.recv(200).decode().strip())
        """;

    private readonly ConcurrentDictionary<string, string> _peers = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<Syn> _syns = new();
    private readonly List<Process> _processes = [];
    private int _tokens;

    /// <summary>A SYN the client received: when (the capture's clock), from which MAC and address.</summary>
    public sealed record Syn(TimeSpan At, string Mac, IPAddress Source);

    public static async Task<EgressProbe> StartAsync(string clientNetns, string clientInterface)
    {
        var probe = new EgressProbe();
        try
        {
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            probe.Start(["ip", "netns", "exec", clientNetns, "python3", "-u", "-c", Listener, Port.ToString(CultureInfo.InvariantCulture)], line =>
            {
                if (line == "ready")
                {
                    ready.TrySetResult();
                }
                else if (line.Split(' ') is [var token, var source])
                {
                    probe._peers[token] = source.StartsWith("::ffff:", StringComparison.Ordinal) ? source[7..] : source;
                }
            });

            var capturing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            probe.Start(["ip", "netns", "exec", clientNetns, "tcpdump", "-i", clientInterface, "-l", "-n", "-e", "-tt", "--immediate-mode", "tcp dst port 2525"], line =>
            {
                if (ParseSyn(line) is { } syn)
                {
                    probe._syns.Enqueue(syn);
                }
            }, stderr: line =>
            {
                if (line.Contains("listening on", StringComparison.Ordinal))
                {
                    capturing.TrySetResult();
                }
            });
            await Task.WhenAll(ready.Task, capturing.Task).WaitAsync(TimeSpan.FromSeconds(30));
            return probe;
        }
        catch
        {
            await probe.DisposeAsync();
            throw;
        }
    }

    /// <summary>Connects from a pod to the client on <paramref name="target"/>; the token names the attempt.</summary>
    public async Task<(bool Echoed, string Token)> ConnectAsync(string podNetns, IPAddress target, TimeSpan timeout)
    {
        var token = $"t{Interlocked.Increment(ref _tokens)}";
        var result = await ProcessRunner.RunAsync(
            ProcessRunner.StartInfo("ip", ["netns", "exec", podNetns, "python3", "-c", Connector, target.ToString(), Port.ToString(CultureInfo.InvariantCulture), token, timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)]),
            timeout + TimeSpan.FromSeconds(30));
        return (result.ExitCode == 0 && result.Stdout.Trim() == $"echo {token}", token);
    }

    /// <summary>The source address the client saw for the attempt, once its line arrived.</summary>
    public string? PeerOf(string token) => _peers.GetValueOrDefault(token);

    /// <summary>Every SYN captured so far.</summary>
    public IReadOnlyList<Syn> Syns => [.. _syns];

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            try
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
            {
            }

            process.Dispose();
        }
    }

    // "1733500000.123456 aa:bb:cc:dd:ee:ff > 11:22:33:44:55:66, ethertype IPv4 (0x0800), length 74: 192.0.2.193.40000 > 192.0.2.1.2525: Flags [S], ..."
    // IPv6 sources end in ".port" the same way.
    internal static Syn? ParseSyn(string line)
    {
        if (!line.Contains("Flags [S]", StringComparison.Ordinal))
        {
            return null;
        }

        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var colon = Array.FindIndex(parts, p => p.StartsWith("length", StringComparison.Ordinal));
        if (parts.Length < 3 || colon < 0 || colon + 2 >= parts.Length
            || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return null;
        }

        var source = parts[colon + 2];
        var dot = source.LastIndexOf('.');
        return dot > 0 && IPAddress.TryParse(source[..dot], out var address)
            ? new Syn(TimeSpan.FromSeconds(seconds), parts[1], address)
            : null;
    }

    private void Start(string[] command, Action<string> stdout, Action<string>? stderr = null)
    {
        var info = ProcessRunner.StartInfo(command[0], command[1..]);
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                stdout(line.Trim());
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                stderr?.Invoke(line);
            }
        };
        process.Start();
        _processes.Add(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }
}
