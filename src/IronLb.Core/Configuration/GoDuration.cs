using System.Globalization;

namespace IronLb.Core.Configuration;

/// <summary>
/// Go's time.ParseDuration, which metav1.Duration (BGPPeer's holdTime, keepaliveTime, connectTime) uses:
/// an optional sign, then "0" or a sequence of decimal numbers (with an optional fraction) each followed
/// by a unit: ns, us (µs, μs), ms, s, m, h. "90s", "1m30s" and "1.5h" parse; "90" and "" do not.
/// Precision is TimeSpan's (100 ns), which is finer than any BGP timer.
/// </summary>
public static class GoDuration
{
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var rest = text.AsSpan();
        var negative = false;
        if (rest[0] is '-' or '+')
        {
            negative = rest[0] == '-';
            rest = rest[1..];
        }

        if (rest is "0")
        {
            return true;
        }

        if (rest.IsEmpty)
        {
            return false;
        }

        decimal total = 0;
        while (!rest.IsEmpty)
        {
            var digits = 0;
            while (digits < rest.Length && (char.IsAsciiDigit(rest[digits]) || rest[digits] == '.'))
            {
                digits++;
            }

            var number = rest[..digits];
            // Go wants a digit on at least one side of the point: "1.", ".5" parse, "." does not.
            if (number.IsEmpty || number is "." || number.Count('.') > 1
                || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            rest = rest[digits..];
            var unitLength = 0;
            while (unitLength < rest.Length && !char.IsAsciiDigit(rest[unitLength]) && rest[unitLength] != '.')
            {
                unitLength++;
            }

            decimal? ticksPerUnit = rest[..unitLength] switch
            {
                "ns" => 0.01m,
                "us" or "µs" or "μs" => TimeSpan.TicksPerMicrosecond,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                _ => null,
            };
            if (ticksPerUnit is null)
            {
                return false;
            }

            rest = rest[unitLength..];
            try
            {
                total += value * ticksPerUnit.Value;
            }
            catch (OverflowException)
            {
                return false;
            }
        }

        // Go's limit is int64 nanoseconds, about 290 years.
        if (total > long.MaxValue / 100m)
        {
            return false;
        }

        var ticks = (long)decimal.Truncate(total);
        duration = TimeSpan.FromTicks(negative ? -ticks : ticks);
        return true;
    }

    /// <summary>Go's Duration.String for the values a timer takes: "1m30s", "3s", "1.5s", "500ms", "0s".</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero)
        {
            return "0s";
        }

        var sign = duration < TimeSpan.Zero ? "-" : "";
        var ticks = Math.Abs(duration.Ticks);
        if (ticks < TimeSpan.TicksPerSecond)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{sign}{(decimal)ticks / TimeSpan.TicksPerMillisecond:0.#######}ms");
        }

        var hours = ticks / TimeSpan.TicksPerHour;
        var minutes = ticks / TimeSpan.TicksPerMinute % 60;
        var seconds = (decimal)(ticks % TimeSpan.TicksPerMinute) / TimeSpan.TicksPerSecond;
        var text = hours > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{hours}h{minutes}m")
            : minutes > 0 ? string.Create(CultureInfo.InvariantCulture, $"{minutes}m") : "";
        return string.Create(CultureInfo.InvariantCulture, $"{sign}{text}{seconds:0.#######}s");
    }
}
