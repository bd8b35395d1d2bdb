using System.Text.Json.Serialization;

namespace IronLb.Lab.State;

/// <summary>Source-generated, so the state file needs no reflection (and its shape is fixed at compile time).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(LabState))]
internal sealed partial class LabStateJson : JsonSerializerContext;
