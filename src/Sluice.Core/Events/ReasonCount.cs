namespace Sluice.Core.Events;

/// <summary>How often one classification (with an example reply) came up among bounces or deferrals.</summary>
public sealed record ReasonCount(string Classification, long Count, string? ExampleReply);
