using System.Text.Json;
using Spectre.Console;

namespace Sluice.Commands;

/// <summary>
/// The API's answers as people read them: an object as a two-column table of its plain fields
/// (then a table for each list of objects it holds), a list of objects as one table with a column
/// per field, text without JSON escapes. Dates are shown as the API gives them (ISO 8601).
/// <c>--json</c> prints the answer itself instead.
/// </summary>
internal static class HumanOutput
{
    private const int CellWidth = 80;

    public static void Write(JsonElement json)
    {
        switch (json.ValueKind)
        {
            case JsonValueKind.Object:
                WriteObject(json);
                break;
            case JsonValueKind.Array:
                WriteList(json);
                break;
            case JsonValueKind.Undefined or JsonValueKind.Null:
                break;
            default:
                AnsiConsole.WriteLine(Cell(json));
                break;
        }
    }

    private static void WriteObject(JsonElement json)
    {
        var fields = new Table().HideHeaders().AddColumn("field").AddColumn("value");
        var lists = new List<(string Name, JsonElement Items)>();
        foreach (var property in json.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Array && property.Value.GetArrayLength() > 0 && property.Value[0].ValueKind == JsonValueKind.Object)
            {
                lists.Add((property.Name, property.Value));
                continue;
            }

            fields.AddRow(Markup.Escape(property.Name), Markup.Escape(Cell(property.Value)));
        }

        if (fields.Rows.Count > 0)
        {
            AnsiConsole.Write(fields);
        }

        foreach (var (name, items) in lists)
        {
            AnsiConsole.WriteLine(name + ":");
            WriteList(items);
        }
    }

    private static void WriteList(JsonElement items)
    {
        if (items.GetArrayLength() == 0)
        {
            AnsiConsole.WriteLine("(none)");
            return;
        }

        if (items[0].ValueKind != JsonValueKind.Object)
        {
            foreach (var item in items.EnumerateArray())
            {
                AnsiConsole.WriteLine(Cell(item));
            }

            return;
        }

        var columns = new List<string>();
        foreach (var item in items.EnumerateArray())
        {
            foreach (var property in item.EnumerateObject())
            {
                if (!columns.Contains(property.Name))
                {
                    columns.Add(property.Name);
                }
            }
        }

        var table = new Table();
        foreach (var column in columns)
        {
            table.AddColumn(Markup.Escape(column));
        }

        foreach (var item in items.EnumerateArray())
        {
            table.AddRow(columns.Select(c => Markup.Escape(item.TryGetProperty(c, out var value) ? Cell(value) : string.Empty)).ToArray());
        }

        AnsiConsole.Write(table);
    }

    /// <summary>A value as text: strings as themselves, nested values as compact JSON (shortened).</summary>
    private static string Cell(JsonElement value)
    {
        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString() ?? string.Empty,
            JsonValueKind.Null or JsonValueKind.Undefined => string.Empty,
            JsonValueKind.Object or JsonValueKind.Array => JsonSerializer.Serialize(value, Compact),
            _ => value.GetRawText(),
        };
        return text.Length > CellWidth ? text[..(CellWidth - 1)] + "…" : text;
    }

    private static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
