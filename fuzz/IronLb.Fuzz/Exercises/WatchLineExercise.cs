using System.Text;
using System.Text.Json;
using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Informers;

namespace IronLb.Fuzz.Exercises;

/// <summary>
/// A watch stream's body, line by line, as the informer reads it, run by the watch-line fuzz target and
/// WatchLineTotalParserTests alike (this file is compiled into both): every line is an event or a reason; then the
/// typed object (a Service and an IPAddressPool, one built-in model and one of ours), a BOOKMARK's version and an
/// ERROR's Status. The typed parse may refuse with <see cref="JsonException"/> (the informer relists); nothing else
/// may escape.
/// </summary>
internal static class WatchLineExercise
{
    public static void Run(ReadOnlySpan<byte> input)
    {
        // Decoding replaces what is not UTF-8, as the informer's StreamReader does, so any bytes become some text.
        using var reader = new StringReader(Encoding.UTF8.GetString(input));
        while (reader.ReadLine() is { } line)
        {
            if (WatchLine.Parse(line, out var error) is not { } e)
            {
                if (error is null)
                {
                    throw new ContractViolationException("a line gave neither an event nor a reason");
                }

                continue;
            }

            _ = WatchLine.ResourceVersion(e.ObjectJson);
            _ = WatchLine.Status(e.ObjectJson);
            Typed(ResourceTypes.Services, e.ObjectJson);
            Typed(ResourceTypes.IpAddressPools("metallb-system"), e.ObjectJson);
        }
    }

    /// <summary>The informer's typed parse of one object.</summary>
    public static void Typed<T>(ResourceType<T> type, string json)
        where T : class
    {
        try
        {
            _ = type.Metadata(type.Parse(json)).Key;
        }
        catch (JsonException)
        {
            // The documented refusal: the informer relists.
        }
    }
}
