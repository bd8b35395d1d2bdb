using System.Diagnostics;
using System.Globalization;
using System.Net;
using IronLb.Networking;

namespace IronLb.Bench.L2Latency;

/// <summary>The bench's role inside the node namespace (`l2-latency --responder`).</summary>
internal static class ResponderRole
{
    /// <summary>In the node namespace: the real announcer, driven over stdin.</summary>
    public static async Task<int> RunAsync(Layer2Options options)
    {
        await using var announcer = new Layer2Announcer(options);
        await announcer.StartAsync().ConfigureAwait(false);
        var table = AnnounceTable.Empty;
        Console.WriteLine("ready");
        while (await Console.In.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            var w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            switch (w[0])
            {
                case "announce":
                    table = table.With(IPAddress.Parse(w[1]), InterfaceSelection.Only("eno2"));
                    announcer.SetTable(table);
                    break;
                case "bulk":
                    // Documentation prefixes only: half IPv4 (198.51.100.0/24, 203.0.113.0/24), half IPv6.
                    var n = int.Parse(w[1], CultureInfo.InvariantCulture);
                    var extra = Enumerable.Range(0, n).Select(i => i % 2 == 0
                        ? IPAddress.Parse(i / 2 < 250 ? $"198.51.100.{1 + (i / 2)}" : $"203.0.113.{1 + (i / 2) - 250}")
                        : IPAddress.Parse($"2001:db8:5::{(i / 2) + 1:x}"));
                    table = AnnounceTable.Create(table.Addresses.Concat(extra).Select(a => KeyValuePair.Create(a, InterfaceSelection.Only("eno2"))));
                    announcer.SetTable(table);
                    break;
                case "kernel":
                    Console.WriteLine($"ready kernel {string.Join(' ', announcer.KernelResponders)}");
                    continue;
                case "mem":
                    var heap = GC.GetTotalMemory(forceFullCollection: true);
                    using (var self = Process.GetCurrentProcess())
                    {
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ready mem {self.WorkingSet64 / 1048576.0:F1} {heap / 1024.0:F0} {table.Count} {KernelMemoryKb()}"));
                    }

                    continue;
                case "quit":
                    await announcer.StopAsync().ConfigureAwait(false);
                    return 0;
            }

            Console.WriteLine($"ready {w[0]}");
        }

        return 0;
    }

    /// <summary>
    /// Kernel memory of this process's BPF maps and programs (the "memlock" the kernel reports per object in
    /// /proc/self/fdinfo), which RSS does not show; 0 when the userspace responders answer alone.
    /// </summary>
    private static long KernelMemoryKb()
    {
        long bytes = 0;
        foreach (var info in Directory.EnumerateFiles("/proc/self/fdinfo"))
        {
            try
            {
                foreach (var line in File.ReadLines(info))
                {
                    if (line.StartsWith("memlock:", StringComparison.Ordinal))
                    {
                        bytes += long.Parse(line["memlock:".Length..].Trim(), CultureInfo.InvariantCulture);
                    }
                }
            }
            catch (IOException)
            {
                // The descriptor closed while we looked.
            }
        }

        return bytes / 1024;
    }
}
