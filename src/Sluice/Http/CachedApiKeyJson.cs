using System.Text.Json.Serialization;

namespace Sluice.Http;

/// <summary>Source-generated JSON for <see cref="CachedApiKey"/> (no reflection on the request path).</summary>
[JsonSerializable(typeof(CachedApiKey))]
internal sealed partial class CachedApiKeyJson : JsonSerializerContext;
