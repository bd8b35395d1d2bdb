using System.Globalization;
using IronLb.Networking;

namespace IronLb.Bench.L2Latency;

/// <summary>The responder's command-line tuning, read before any namespace exists so a typo fails early.</summary>
internal static class ResponderOptions
{
    /// <summary>
    /// The responder's tuning, product defaults unless given: --threads one|percpu, --slice-us N (EEVDF time
    /// slice, 0 = kernel default), --rt PRIORITY (SCHED_FIFO), --spin-us N (poll that long after each frame),
    /// --kernel on|off (ARP and NDP answered by the tc programs, or by the userspace responders only).
    /// </summary>
    public static Layer2Options Parse(string[] args)
    {
        var options = new Layer2Options { GratuitousWindow = TimeSpan.Zero };
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--threads" => options with { Threading = value == "one" ? Layer2Threading.OneThread : value == "percpu" ? Layer2Threading.PerCpu : throw new ArgumentException($"--threads {value}") },
                "--slice-us" => options with { ResponderTimeSlice = value == "0" ? null : TimeSpan.FromMicroseconds(int.Parse(value, CultureInfo.InvariantCulture)) },
                "--rt" => options with { RealtimePriority = int.Parse(value, CultureInfo.InvariantCulture) },
                "--spin-us" => options with { SpinAfterFrame = TimeSpan.FromMicroseconds(int.Parse(value, CultureInfo.InvariantCulture)) },
                "--kernel" => options with { KernelReplies = value == "on" || (value == "off" ? false : throw new ArgumentException($"--kernel {value}")) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
            i++;
        }

        return options;
    }
}
