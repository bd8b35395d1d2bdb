using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using IronLb.Core.Planning;

namespace IronLb.Output;

/// <summary>suggest's output: the bare annotation line (so it pastes and pipes cleanly), or {"pool","ips","annotation"}.</summary>
internal static class SuggestWriter
{
    public static void Write(SuggestResult result, string format, TextWriter writer)
    {
        if (format != "json")
        {
            writer.WriteLine(result.Annotation);
            return;
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("pool", result.Pool);
            json.WriteStartArray("ips");
            foreach (var ip in result.Ips)
            {
                json.WriteStringValue(ip);
            }

            json.WriteEndArray();
            json.WriteString("annotation", result.Annotation);
            json.WriteEndObject();
        }

        writer.WriteLine(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }
}
