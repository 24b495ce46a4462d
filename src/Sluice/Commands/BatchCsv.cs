using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace Sluice.Commands;

/// <summary>
/// Reads the recipients of <c>sluice send --batch</c> with a real CSV parser (RFC 4180: quoted
/// fields with commas, doubled quotes and line breaks; a BOM is skipped). The header row names the
/// columns: the first is the address, the others become the recipient's template variables. A row
/// with another number of fields, or without an address, is refused with its line number.
/// </summary>
internal static class BatchCsv
{
    public static (List<BatchRow> Rows, List<BatchRefusal> Refused) Read(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var rows = new List<BatchRow>();
        var refused = new List<BatchRefusal>();
        var badRow = -1;
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            TrimOptions = TrimOptions.Trim,
            BadDataFound = args => badRow = args.Context.Parser!.RawRow,
            IgnoreBlankLines = true,
        };
        using var csv = new CsvParser(reader, configuration);
        if (!csv.Read() || csv.Record is not { Length: > 0 } header || string.IsNullOrEmpty(header[0]))
        {
            throw new InvalidDataException("the first line must name the columns: the address first, then the template variables (to,name,…)");
        }

        while (csv.Read())
        {
            var fields = csv.Record!;

            // RawRow is the line the record ends on; a quoted field may span lines.
            var line = csv.RawRow;
            foreach (var field in fields)
            {
                line -= field.AsSpan().Count('\n');
            }

            var to = fields.Length > 0 ? fields[0] : string.Empty;
            if (badRow == csv.RawRow)
            {
                refused.Add(new BatchRefusal(line, to, "a quote inside an unquoted field (quote the whole field and double the quote)"));
            }
            else if (fields.Length != header.Length)
            {
                refused.Add(new BatchRefusal(line, to, $"{fields.Length} fields where the header names {header.Length}"));
            }
            else if (to.Length == 0)
            {
                refused.Add(new BatchRefusal(line, to, "no address in the first column"));
            }
            else
            {
                var variables = new Dictionary<string, string>(StringComparer.Ordinal);
                for (var i = 1; i < header.Length; i++)
                {
                    variables[header[i]] = fields[i];
                }

                rows.Add(new BatchRow(line, to, variables));
            }
        }

        return (rows, refused);
    }
}
