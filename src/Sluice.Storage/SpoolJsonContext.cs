using System.Text.Json.Serialization;
using Sluice.Core.Messages;

namespace Sluice.Storage;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Envelope))]
internal sealed partial class SpoolJsonContext : JsonSerializerContext;
