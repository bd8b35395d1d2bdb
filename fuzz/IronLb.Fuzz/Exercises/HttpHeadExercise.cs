using IronLb.Monitoring.Http;

namespace IronLb.Fuzz.Exercises;

/// <summary>
/// The metrics and health endpoints' request-head parser on raw bytes, run by the http-head fuzz target and
/// RequestHeadParserTests alike (this file is compiled into both). Besides never throwing, it checks what the
/// listener relies on: a verdict (anything but Incomplete) never changes when more bytes arrive, an unfinished head
/// only becomes something else when a line ends or the limit is reached (the listener parses again only then), and a
/// complete head has a path the routes can match.
/// </summary>
internal static class HttpHeadExercise
{
    /// <summary>The listener's limit, and a small one so that inputs reach <see cref="HeadStatus.TooLong"/> too.</summary>
    private static readonly int[] Limits = [8 * 1024, 48];

    public static void Run(ReadOnlySpan<byte> input)
    {
        foreach (var limit in Limits)
        {
            Check(input, limit);
        }
    }

    private static void Check(ReadOnlySpan<byte> input, int limit)
    {
        var head = RequestHeadParser.Parse(input, limit);
        if (!Enum.IsDefined(head.Status))
        {
            throw new ContractViolationException($"undefined status {(int)head.Status}");
        }

        if (head.Status == HeadStatus.Complete && (head.Path.Length == 0 || head.Path[0] != '/' || head.Path.Contains('?', StringComparison.Ordinal) || head.Path.Any(c => c is <= ' ' or > '~')))
        {
            throw new ContractViolationException($"a complete head with the path \"{head.Path}\"");
        }

        if (head.Status != HeadStatus.Complete && (head.Method != RequestMethod.Other || head.Path.Length != 0))
        {
            throw new ContractViolationException($"{head.Status} carries a method or a path");
        }

        if (head.Status == HeadStatus.Incomplete && input.Length >= limit)
        {
            throw new ContractViolationException("Incomplete with the whole limit received");
        }

        // More bytes: a verdict stands; an unfinished head stays unfinished until a line ends (or the limit is hit).
        var more = RequestHeadParser.Parse([.. input, .. "x: y\r\n\r\nGET / HTTP/1.1\r\n\r\n"u8], limit);
        if (head.Status != HeadStatus.Incomplete && more != head)
        {
            throw new ContractViolationException($"{head.Status} became {more.Status} when more bytes arrived");
        }

        var noLineEnd = RequestHeadParser.Parse([.. input, .. "abc"u8], limit);
        if (head.Status == HeadStatus.Incomplete && input.Length + 3 < limit && noLineEnd.Status != HeadStatus.Incomplete)
        {
            throw new ContractViolationException($"Incomplete became {noLineEnd.Status} without a line ending");
        }
    }
}
