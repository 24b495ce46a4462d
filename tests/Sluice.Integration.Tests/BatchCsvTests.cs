using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Sluice.Commands;

namespace Sluice.Integration.Tests;

/// <summary>The CSV reader of <c>sluice send --batch</c>, as a unit.</summary>
public sealed class BatchCsvTests
{
    private static readonly char[] Alphabet = ['a', 'b', 'é', ' ', ',', '"', '\n', ';'];

    /// <summary>Any fields — commas, quotes, line breaks inside — written as RFC 4180 read back as themselves.</summary>
    [Property(MaxTest = 300)]
    public Property Read_QuotedFieldsWithCommasQuotesAndNewlines_RoundTrip()
    {
        var field = Gen.ArrayOf(Gen.Elements(Alphabet)).Select(c => new string(c).Trim());
        var row = Gen.ArrayOf(field, 3).Select(f => new[] { "x" + f[0] + "@example.org", f[1], f[2] });
        return Prop.ForAll(Gen.NonEmptyListOf(row).Select(r => r.ToArray()).ToArbitrary(), rows =>
        {
            var csv = new StringBuilder("to,name,note\r\n");
            foreach (var r in rows)
            {
                csv.Append(string.Join(',', r.Select(f => "\"" + f.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""))).Append("\r\n");
            }

            var (read, refused) = BatchCsv.Read(new StringReader(csv.ToString()));

            return refused.Count == 0 && read.Count == rows.Length
                && read.Zip(rows).All(p => p.First.To == p.Second[0] && p.First.Variables["name"] == p.Second[1] && p.First.Variables["note"] == p.Second[2]);
        });
    }

    [Fact]
    public void Read_RowAfterAMultiLineField_NamesItsOwnLine()
    {
        var (rows, refused) = BatchCsv.Read(new StringReader("to,name\r\na@x.example,\"two\r\nlines\"\r\nb@x.example\r\n"));

        Assert.Equal(2, rows.Single().Line);
        Assert.Equal(4, refused.Single().Line);
        Assert.Equal("1 fields where the header names 2", refused.Single().Reason);
    }

    [Fact]
    public void Read_NoHeader_IsRefusedWithWhatItNeeds()
    {
        var thrown = Assert.Throws<InvalidDataException>(() => BatchCsv.Read(new StringReader(string.Empty)));

        Assert.Contains("the first line must name the columns", thrown.Message, StringComparison.Ordinal);
    }
}
