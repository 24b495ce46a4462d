using Dapper;

namespace Sluice.Core.State;

public sealed partial class SqlStateStore
{
    private const string TemplateColumns = "id, version, name, subject, html, text, created_at AS CreatedAt";

    public Task AddAsync(Template version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        var template = version;
        return WriteAsync(
            (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO templates (id, version, name, subject, html, text, created_at) VALUES (@Id, @Version, @Name, @Subject, @Html, @Text, @Created)",
                new { template.Id, Version = (long)template.Version, template.Name, template.Subject, template.Html, template.Text, Created = Millis(template.CreatedAt) },
                transaction,
                cancellationToken: cancellationToken)),
            new StateChange(StateChangeKind.Template, template.Id),
            cancellationToken);
    }

    public async Task<Template?> GetTemplateAsync(string id, int? version, CancellationToken cancellationToken)
    {
        await using var connection = await _open(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<TemplateRow>(new CommandDefinition(
            version is null
                ? $"SELECT {TemplateColumns} FROM templates WHERE id = @id ORDER BY version DESC LIMIT 1"
                : $"SELECT {TemplateColumns} FROM templates WHERE id = @id AND version = @version",
            new { id, version = (long?)version },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToTemplate();
    }

    public async Task<IReadOnlyList<Template>> ListTemplatesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _open(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<TemplateRow>(new CommandDefinition(
            "SELECT t.id, t.version, t.name, t.subject, t.html, t.text, t.created_at AS CreatedAt FROM templates t WHERE t.version = (SELECT MAX(version) FROM templates WHERE id = t.id) ORDER BY t.name",
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToTemplate())];
    }

    public async Task<bool> DeleteTemplateAsync(string id, CancellationToken cancellationToken)
        => await WriteAsync(
            (connection, transaction) => connection.ExecuteAsync(new CommandDefinition("DELETE FROM templates WHERE id = @id", new { id }, transaction, cancellationToken: cancellationToken)),
            new StateChange(StateChangeKind.Template, id),
            cancellationToken).ConfigureAwait(false) > 0;

    private sealed class TemplateRow
    {
        public string Id { get; set; } = string.Empty;

        public long Version { get; set; }

        public string Name { get; set; } = string.Empty;

        public string? Subject { get; set; }

        public string? Html { get; set; }

        public string? Text { get; set; }

        public long CreatedAt { get; set; }

        public Template ToTemplate() => new(Id, (int)Version, Name, Subject, Html, Text, At(CreatedAt));
    }
}
