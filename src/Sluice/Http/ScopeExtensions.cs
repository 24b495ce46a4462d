using Sluice.Core.State;

namespace Sluice.Http;

internal static class ScopeExtensions
{
    /// <summary>The endpoint needs an API key with <paramref name="scope"/>.</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, ApiScopes scope)
        where TBuilder : IEndpointConventionBuilder
        => builder.WithMetadata(new RequiredScope(scope));
}
