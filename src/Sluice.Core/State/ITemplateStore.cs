namespace Sluice.Core.State;

/// <summary>Stored, versioned templates.</summary>
public interface ITemplateStore
{
    /// <summary>Stores <paramref name="version"/> as given (the caller picks the id and version).</summary>
    Task AddAsync(Template version, CancellationToken cancellationToken);

    /// <summary>The given version, or the newest when <paramref name="version"/> is null.</summary>
    Task<Template?> GetTemplateAsync(string id, int? version, CancellationToken cancellationToken);

    /// <summary>The newest version of every template.</summary>
    Task<IReadOnlyList<Template>> ListTemplatesAsync(CancellationToken cancellationToken);

    /// <summary>Removes every version; false when there was none.</summary>
    Task<bool> DeleteTemplateAsync(string id, CancellationToken cancellationToken);
}
