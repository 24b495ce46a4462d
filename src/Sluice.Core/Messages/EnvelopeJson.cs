using System.Text.Json.Serialization;

namespace Sluice.Core.Messages;

/// <summary>
/// The envelope as stored with a message, the same in every queue backend (the embedded spool's
/// envelope column, a cluster message's header): camelCase, nulls left out, source-generated.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Envelope))]
public sealed partial class EnvelopeJson : JsonSerializerContext;
