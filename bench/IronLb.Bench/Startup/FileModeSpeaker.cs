using System.Collections.Immutable;
using System.Diagnostics;
using IronLb.Testing;
using IronLb.Testing.Manifests;

namespace IronLb.Bench.Startup;

/// <summary>
/// `ironlb speaker --manifests` (no API server) for node1 of a <see cref="IronLb.Testing.Network.LanTopology"/>: one
/// pool of two documentation addresses advertised on eno2, one Service holding both (annotation and status, as a
/// running cluster shows it), and node1 the only Node, so this speaker owns both addresses from its first load.
/// </summary>
internal sealed class FileModeSpeaker : IDisposable
{
    public const string Node = "node1";
    public const string AddressV4 = "192.0.2.100";

    private readonly string _folder = Directory.CreateTempSubdirectory("ironlb-startup-").FullName;

    public FileModeSpeaker(string lanV6)
    {
        AddressV6 = $"{lanV6}100";
        File.WriteAllText(Path.Combine(_folder, "cluster.yaml"), ManifestYaml.Join(
            ManifestYaml.PoolAnnouncedOn("external", "eno2", $"{AddressV4}/32", $"{AddressV6}/128"),
            ManifestYaml.Node(Node),
            ManifestYaml.Service("web", "gateway", [AddressV4, AddressV6], 443, assigned: true)));
    }

    public string AddressV6 { get; }

    /// <summary>Starts the speaker in <paramref name="netns"/>; its output is read as it comes (a full pipe would stall it).</summary>
    public Run Start(string netns, ImmutableArray<string> ironlb) =>
        new(ProcessRunner.StartInfo("ip", ["netns", "exec", netns, .. ironlb, "speaker", "--node", Node, "--manifests", _folder]));

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>One running speaker and the last lines it wrote.</summary>
    internal sealed class Run
    {
        private const int Kept = 20;
        private readonly Process _process;
        private readonly Queue<string> _tail = new();

        public Run(ProcessStartInfo start)
        {
            _process = Process.Start(start) ?? throw new InvalidOperationException("could not start ip netns exec");
            DataReceivedEventHandler keep = (_, e) =>
            {
                if (e.Data is { } line)
                {
                    lock (_tail)
                    {
                        _tail.Enqueue(line);
                        if (_tail.Count > Kept)
                        {
                            _tail.Dequeue();
                        }
                    }
                }
            };
            _process.OutputDataReceived += keep;
            _process.ErrorDataReceived += keep;
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        /// <summary>The speaker's pid (ip netns exec replaces itself with it).</summary>
        public int Id => _process.Id;

        public bool HasExited => _process.HasExited;

        public string Tail
        {
            get
            {
                lock (_tail)
                {
                    return string.Join('\n', _tail);
                }
            }
        }

        /// <summary>SIGTERM, and SIGKILL if it has not exited within 30 s (<see cref="Termination"/>): its exit code and how long that took.</summary>
        public async Task<(int ExitCode, TimeSpan Took)> StopAsync()
        {
            var clock = Stopwatch.StartNew();
            var exit = await Termination.TerminateAsync(_process, TimeSpan.FromSeconds(30));
            _process.Dispose();
            return (exit, clock.Elapsed);
        }
    }
}
