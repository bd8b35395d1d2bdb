using System.Globalization;
using System.Net;
using IronLb.Networking;
using IronLb.Networking.Conflicts;
using IronLb.Networking.Sockets;
using IronLb.Networking.TestHost;

// Usage:
//   serve [--rescan-ms N] [--refresh-ms N] [--burst-ms N] [--no-kernel]   run the announcer; commands on stdin, one per line:
//       announce IP [IFNAME...]   withdraw IP   rescan   responders   kernel   drops   quit
//       deadline MS (answer for MS more)   revoke (answer nothing)   open (prints true or false: may it answer now?)
//     every command answers with a line starting "ready <command>"; start-up prints "ready".
//       watch [IP...] (report claims for these too)   claims (every claim so far: KIND/IP/MAC/IFNAME ...)
//       defend IP IFNAME (prints the frames sent)
//   inject IFNAME HEXFRAME...                 send raw Ethernet frames on IFNAME, then exit
//   probe IFNAME [--count N] [--interval-ms N] [--wait-ms N] IP...   LanProber; one line per address:
//       "outcome IP MAC,MAC" ("-" for none) or "outcome IP error MESSAGE", then "ready probe N"
if (args.Length >= 2 && args[0] == "inject")
{
    using var socket = PacketSocket.Open(InterfaceIndex(args[1]), 0x88B5); // local-experimental ethertype: receives nothing
    foreach (var hex in args[2..])
    {
        socket.Send(Convert.FromHexString(hex));
    }

    Console.WriteLine($"ready inject {args.Length - 2}");
    return 0;
}

if (args.Length >= 2 && args[0] == "probe")
{
    var settings = new ProbeSettings
    {
        Count = IntOption("--count") ?? ProbeSettings.Default.Count,
        Interval = IntOption("--interval-ms") is { } interval ? TimeSpan.FromMilliseconds(interval) : ProbeSettings.Default.Interval,
        Wait = IntOption("--wait-ms") is { } wait ? TimeSpan.FromMilliseconds(wait) : ProbeSettings.Default.Wait,
    };
    var targets = args[2..].Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (i == 0 || !args[2..][i - 1].StartsWith("--", StringComparison.Ordinal)))
        .Select(IPAddress.Parse).ToList();
    var outcomes = await new LanProber(logger: new StderrLogger<LanProber>()).ProbeAsync(args[1], targets, settings, CancellationToken.None).ConfigureAwait(false);
    foreach (var outcome in outcomes)
    {
        Console.WriteLine(outcome.Error is { } error
            ? $"outcome {outcome.Address} error {error}"
            : $"outcome {outcome.Address} {(outcome.InUse ? string.Join(',', outcome.Responders) : "-")}");
    }

    Console.WriteLine($"ready probe {outcomes.Count}");
    return 0;
}

if (args.Length == 0 || args[0] != "serve")
{
    await Console.Error.WriteLineAsync("usage: serve [--rescan-ms N] [--refresh-ms N] | inject IFNAME HEX...").ConfigureAwait(false);
    return 2;
}

var options = new Layer2Options
{
    InterfaceScanInterval = TimeSpan.FromMilliseconds(IntOption("--rescan-ms") ?? 10_000),
    GratuitousRefreshInterval = IntOption("--refresh-ms") is { } refresh ? TimeSpan.FromMilliseconds(refresh) : null,
    // --burst-ms 0 keeps only the immediate round, so "exactly one answer" tests see no unsolicited extras.
    GratuitousWindow = TimeSpan.FromMilliseconds(IntOption("--burst-ms") ?? 5000),
    KernelReplies = !args.Contains("--no-kernel"),
};

await using var announcer = new Layer2Announcer(options, new StderrLogger<Layer2Announcer>());
var claims = new System.Collections.Concurrent.ConcurrentQueue<AddressClaim>();
announcer.ClaimObserved = claims.Enqueue;
await announcer.StartAsync().ConfigureAwait(false);
Console.WriteLine("ready");

var table = AnnounceTable.Empty;
while (await Console.In.ReadLineAsync().ConfigureAwait(false) is { } line)
{
    var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    if (words.Length == 0)
    {
        continue;
    }

    switch (words[0])
    {
        case "announce" when words.Length >= 2:
            table = table.With(IPAddress.Parse(words[1]), words.Length > 2 ? InterfaceSelection.Only(words[2..]) : InterfaceSelection.All);
            announcer.SetTable(table);
            Console.WriteLine($"ready announce {words[1]}");
            break;
        case "withdraw" when words.Length >= 2:
            table = table.Without(IPAddress.Parse(words[1]));
            announcer.SetTable(table);
            Console.WriteLine($"ready withdraw {words[1]}");
            break;
        case "rescan":
            announcer.Rescan();
            Console.WriteLine("ready rescan");
            break;
        case "responders":
            Console.WriteLine($"ready responders {string.Join(' ', announcer.Responders)}");
            break;
        case "kernel":
            Console.WriteLine($"ready kernel {string.Join(' ', announcer.KernelResponders)}");
            break;
        case "drops":
            Console.WriteLine($"ready drops {string.Join(' ', announcer.DropCounts().OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}"))}");
            break;
        case "deadline" when words.Length >= 2:
            announcer.Deadline.Refresh(TimeSpan.FromMilliseconds(int.Parse(words[1], CultureInfo.InvariantCulture)));
            Console.WriteLine($"ready deadline {words[1]}");
            break;
        case "revoke":
            announcer.Deadline.Revoke();
            Console.WriteLine("ready revoke");
            break;
        case "open":
            Console.WriteLine($"ready open {(announcer.Deadline.IsOpen ? "true" : "false")}");
            break;
        case "watch":
            announcer.Watch(words[1..].Select(IPAddress.Parse).ToHashSet());
            Console.WriteLine($"ready watch {words.Length - 1}");
            break;
        case "claims":
            Console.WriteLine($"ready claims {string.Join(' ', claims.Select(c => $"{c.Kind}/{c.Address}/{c.Sender}/{c.Interface}"))}");
            break;
        case "defend" when words.Length >= 3:
            Console.WriteLine($"ready defend {announcer.Defend(IPAddress.Parse(words[1]), words[2])}");
            break;
        case "quit":
            Console.WriteLine("ready quit");
            await announcer.StopAsync().ConfigureAwait(false);
            return 0;
        default:
            Console.WriteLine($"error unknown command: {line}");
            break;
    }
}

return 0;

int? IntOption(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : null;
}

static int InterfaceIndex(string name) =>
    int.Parse(File.ReadAllText($"/sys/class/net/{name}/ifindex").Trim(), CultureInfo.InvariantCulture);
