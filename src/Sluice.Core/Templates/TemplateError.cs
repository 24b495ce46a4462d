namespace Sluice.Core.Templates;

/// <summary>Why a template part did not parse or render: the part, the 1-based line and column when known, and the parser's words.</summary>
public sealed record TemplateError(string Part, int? Line, int? Column, string Reason)
{
    public override string ToString()
        => Line is { } line ? $"{Part}, line {line}, column {Column}: {Reason}" : $"{Part}: {Reason}";
}
