using System.Text.Json.Serialization;
using Sluice.Core.State;

namespace Sluice.Core.Templates;

/// <summary>Source-generated JSON for a stored template version as the cluster's second-level cache keeps it.</summary>
[JsonSerializable(typeof(Template))]
internal sealed partial class TemplateJson : JsonSerializerContext;
