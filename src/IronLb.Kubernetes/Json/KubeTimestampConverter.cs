using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace IronLb.Kubernetes.Json;

/// <summary>
/// Kubernetes timestamps as the API server writes and reads them: RFC 3339 in UTC, whole seconds as
/// <c>2026-12-07T01:02:03Z</c> (Time) and anything finer in microseconds as <c>2026-12-07T01:02:03.456789Z</c>
/// (MicroTime: Lease renewTime, Event eventTime). The default System.Text.Json form has seven fractional digits,
/// which Go's RFC3339Micro layout refuses. KubernetesClient.Aot writes the same form, in a converter it keeps private.
/// </summary>
public sealed class KubeTimestampConverter : JsonConverter<DateTime>
{
    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        return DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var value)
            ? value
            : throw new JsonException($"\"{text}\" is not an RFC 3339 timestamp");
    }

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var utc = value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value;
        var format = utc.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'" : "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'ffffff'Z'";
        writer.WriteStringValue(utc.ToString(format, CultureInfo.InvariantCulture));
    }
}
