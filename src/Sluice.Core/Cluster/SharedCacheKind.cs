namespace Sluice.Core.Cluster;

/// <summary>What a second-level cache entry holds (each kind its own key space).</summary>
public enum SharedCacheKind
{
    /// <summary>A destination domain's mail exchangers (an <c>MxResolution</c>), for its DNS TTL.</summary>
    MxAnswer,

    /// <summary>A relay host's addresses, for their DNS TTL.</summary>
    HostAnswer,

    /// <summary>Whether a recipient domain accepts mail.</summary>
    DomainVerdict,

    /// <summary>An API key's record by its id (never the token).</summary>
    ApiKey,

    /// <summary>One stored template version (immutable), by id and version.</summary>
    Template,

    /// <summary>A template id's newest version number.</summary>
    TemplateLatest,
}
