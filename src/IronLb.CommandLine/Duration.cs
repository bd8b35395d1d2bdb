using System.Globalization;
using System.Text;

namespace IronLb.CommandLine;

/// <summary>
/// A length of time written as Kubernetes and Go write it (<c>500ms</c>, <c>15s</c>, <c>2m</c>, <c>1h30m</c>,
/// <c>1.5s</c>), the form MetalLB's flags and every Kubernetes manifest use. Its <see cref="ToString"/> writes the
/// same form, so help texts show a default the way a user would type it.
/// </summary>
public readonly record struct Duration(TimeSpan TimeSpan)
{
    /// <summary>How a rejected value is explained, so every flag says it the same way.</summary>
    public const string Examples = "500ms, 15s, 2m or 1h30m";

    private static readonly (string Unit, decimal Ticks)[] Units =
    [
        // Two-letter units first, so "ms" is not read as "m" followed by a stray "s".
        ("ns", 0.01m),
        ("us", 10m),
        ("\u00b5s", 10m), // micro sign, as Go accepts
        ("\u03bcs", 10m), // Greek small mu, as Go accepts
        ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond),
        ("m", TimeSpan.TicksPerMinute),
        ("h", TimeSpan.TicksPerHour),
    ];

    /// <summary>
    /// Go's time.ParseDuration grammar without a sign: one or more "number unit" pairs, the number a decimal
    /// with optional fraction, the unit one of ns, us (µs), ms, s, m, h; a bare <c>0</c> is the only number
    /// without a unit (as in Go). Negative values, spaces, exponents, .NET's <c>00:00:05</c> and bare numbers
    /// other than 0 are rejected; so is anything longer than <see cref="TimeSpan.MaxValue"/>. Resolution is
    /// one tick (100 ns); finer values round to the nearest tick. Never throws.
    /// </summary>
    public static bool TryParse(string? text, out Duration duration)
    {
        duration = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (text == "0")
        {
            return true;
        }

        decimal ticks = 0;
        var at = 0;
        while (at < text.Length)
        {
            if (!TryReadNumber(text, ref at, out var number) || !TryReadUnit(text, ref at, out var unitTicks)
                || number > TimeSpan.MaxValue.Ticks / unitTicks)
            {
                return false;
            }

            ticks += number * unitTicks;
            if (ticks > TimeSpan.MaxValue.Ticks)
            {
                return false;
            }
        }

        duration = new Duration(TimeSpan.FromTicks((long)Math.Round(ticks, MidpointRounding.AwayFromZero)));
        return true;
    }

    /// <summary>Hours, minutes, then the rest in the largest unit that keeps it whole or short: <c>1h30m</c>, <c>1m5s</c>, <c>1.5s</c>, <c>100ms</c>, <c>0s</c>.</summary>
    public override string ToString()
    {
        if (TimeSpan < TimeSpan.Zero)
        {
            return TimeSpan == TimeSpan.MinValue ? TimeSpan.ToString() : "-" + new Duration(-TimeSpan);
        }

        if (TimeSpan == TimeSpan.Zero)
        {
            return "0s";
        }

        var text = new StringBuilder();
        var hours = TimeSpan.Ticks / TimeSpan.TicksPerHour;
        var minutes = TimeSpan.Ticks % TimeSpan.TicksPerHour / TimeSpan.TicksPerMinute;
        var rest = TimeSpan.Ticks % TimeSpan.TicksPerMinute;
        if (hours > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{hours}h");
        }

        if (minutes > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{minutes}m");
        }

        if (rest > 0)
        {
            // Below a second only when nothing larger was written, so "1m0.5s" stays one unit per part.
            var (scale, unit) = rest >= TimeSpan.TicksPerSecond || text.Length > 0 ? (TimeSpan.TicksPerSecond, "s")
                : rest >= TimeSpan.TicksPerMillisecond ? (TimeSpan.TicksPerMillisecond, "ms")
                : rest >= 10 ? (10, "us")
                : (0.01m, "ns");
            text.Append(((decimal)rest / scale).ToString("0.#######", CultureInfo.InvariantCulture)).Append(unit);
        }

        return text.ToString();
    }

    private static bool TryReadNumber(string text, ref int at, out decimal number)
    {
        number = 0;
        var start = at;
        decimal scale = 1;
        var fraction = false;
        var digits = 0;
        for (; at < text.Length; at++)
        {
            var c = text[at];
            if (c == '.' && !fraction)
            {
                fraction = true;
            }
            else if (c is >= '0' and <= '9')
            {
                // 28 significant digits is decimal's limit; a duration that needs more is not one a person wrote.
                if (++digits > 28)
                {
                    return false;
                }

                if (fraction)
                {
                    scale /= 10;
                    number += (c - '0') * scale;
                }
                else
                {
                    number = number * 10 + (c - '0');
                }
            }
            else
            {
                break;
            }
        }

        return digits > 0 && at > start;
    }

    private static bool TryReadUnit(string text, ref int at, out decimal ticks)
    {
        foreach (var (unit, unitTicks) in Units)
        {
            if (string.CompareOrdinal(text, at, unit, 0, unit.Length) == 0)
            {
                at += unit.Length;
                ticks = unitTicks;
                return true;
            }
        }

        ticks = 0;
        return false;
    }
}
