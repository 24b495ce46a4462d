using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fluid;

namespace Sluice.Core.Templates;

/// <summary>
/// Liquid through Fluid: parsing (counted, so tests and the cache benchmark can prove what the
/// cache saves) and rendering with variables from JSON. HTML parts are rendered with HTML encoding
/// of values; subject and text parts are not encoded.
/// </summary>
public sealed partial class TemplateEngine(Telemetry.SluiceMetrics? metrics = null)
{
    private static readonly FluidParser Parser = new();
    private static readonly TemplateOptions Options = new();
    private long _parses;

    /// <summary>Template parts parsed since start.</summary>
    public long Parses => Interlocked.Read(ref _parses);

    public (CompiledTemplate? Template, TemplateError? Error) Compile(string id, int version, string? subject, string? html, string? text)
    {
        if (!TryParse("subject", subject, out var s, out var error) || !TryParse("html", html, out var h, out error) || !TryParse("text", text, out var t, out error))
        {
            return (null, error);
        }

        return (new CompiledTemplate(id, version, s, h, t), null);
    }

    public static async Task<(RenderedParts? Parts, TemplateError? Error)> RenderAsync(CompiledTemplate template, JsonElement? variables)
    {
        var context = new TemplateContext(Options) { CultureInfo = CultureInfo.InvariantCulture };
        if (variables is { ValueKind: JsonValueKind.Object } model)
        {
            foreach (var property in model.EnumerateObject())
            {
                context.SetValue(property.Name, ToObject(property.Value));
            }
        }

        string? part = null;
        try
        {
            part = "subject";
            var subject = template.Subject is null ? null : await template.Subject.RenderAsync(context, NullEncoder.Default).ConfigureAwait(false);
            part = "html";
            var html = template.Html is null ? null : await template.Html.RenderAsync(context, HtmlEncoder.Default).ConfigureAwait(false);
            part = "text";
            var text = template.Text is null ? null : await template.Text.RenderAsync(context, NullEncoder.Default).ConfigureAwait(false);
            return (new RenderedParts(subject?.Trim(), html, text), null);
        }
        catch (Exception ex) when (ex is ParseException or InvalidOperationException or ArgumentException or FormatException)
        {
            return (null, new TemplateError(part ?? "template", null, null, ex.Message));
        }
    }

    private bool TryParse(string part, string? source, out IFluidTemplate? template, out TemplateError? error)
    {
        template = null;
        error = null;
        if (source is null)
        {
            return true;
        }

        Interlocked.Increment(ref _parses);
        metrics?.TemplateParses.Add(1);
        if (Parser.TryParse(source, out var parsed, out var message))
        {
            template = parsed;
            return true;
        }

        var position = Position().Match(message ?? string.Empty);
        error = position.Success
            ? new TemplateError(part, int.Parse(position.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(position.Groups[2].Value, CultureInfo.InvariantCulture), message!)
            : new TemplateError(part, null, null, message ?? "does not parse");
        return false;
    }

    /// <summary>JSON values as the plain objects Fluid reads: dictionaries, lists, strings, numbers, booleans.</summary>
    private static object? ToObject(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => value.EnumerateObject().ToDictionary(p => p.Name, p => ToObject(p.Value), StringComparer.Ordinal),
        JsonValueKind.Array => value.EnumerateArray().Select(ToObject).ToList(),
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.TryGetInt64(out var l) ? l : value.GetDecimal(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    [GeneratedRegex(@"\((\d+):(\d+)\)")]
    private static partial Regex Position();
}
