namespace Sluice.Postgres;

/// <summary>One step of the shared schema: applied once, in version order, and recorded.</summary>
internal sealed record Migration(int Version, string Name, string Sql);
