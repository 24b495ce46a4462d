using Sluice.Core.State;

namespace Sluice.Http;

/// <summary>Endpoint metadata: the scope an API key needs for this endpoint.</summary>
internal sealed record RequiredScope(ApiScopes Scope);
