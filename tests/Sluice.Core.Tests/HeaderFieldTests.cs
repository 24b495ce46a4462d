using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Sluice.Core.Messages;

namespace Sluice.Core.Tests;

public sealed class HeaderFieldTests
{
    [Theory]
    [InlineData("Subject: Hello\r\n\r\nbody", "Hello")]
    [InlineData("From: a@b\r\nsubject:   spaced  \r\nTo: c@d\r\n\r\n", "spaced")]
    [InlineData("Subject: folded\r\n over\r\n\tlines\r\nX: y\r\n\r\n", "folded over\tlines")]
    [InlineData("Subject: bare\nX: y\n\n", "bare")]
    [InlineData("X-Subject: no\r\n\r\nSubject: in the body\r\n", null)]
    [InlineData("Subjects: no\r\n\r\n", null)]
    [InlineData("From: a@b\r\n\r\n", null)]
    public void Find_Headers_TheFieldOrNull(string message, string? expected)
        => Assert.Equal(expected, HeaderField.Find(Encoding.UTF8.GetBytes(message), "Subject"u8));

    [Fact]
    public void Read_SpilledBuffer_ReadsTheHeaderFromTheFile()
    {
        var dir = Directory.CreateTempSubdirectory();
        try
        {
            using var buffer = new MessageBuffer(dir.FullName, memoryThreshold: 16);
            buffer.Write("Received: from x\r\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n\r\n"u8);
            buffer.Write(new byte[100_000]);

            Assert.True(buffer.SpilledToDisk);
            Assert.Equal("=?utf-8?q?Gr=C3=BC=C3=9Fe?=", HeaderField.Read(buffer, "Subject"u8));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>RFC 5322 §2.2.3: however a value is folded (CRLF before any white space), unfolding gives it back.</summary>
    [Property(MaxTest = 300)]
    public Property Find_AnyFolding_UnfoldsToTheValue()
    {
        var word = Gen.Elements("alpha", "Beta", "=?utf-8?q?x?=", "Grüße", "42", "a-b");
        var gen = Gen.NonEmptyListOf(word).SelectMany(words => Gen.ListOf(Gen.Elements(false, true), words.Count).Select(folds => (words, folds)));
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (words, folds) = t;
            var value = new StringBuilder(words[0]);
            var folded = new StringBuilder(words[0]);
            for (var i = 1; i < words.Count; i++)
            {
                value.Append(' ').Append(words[i]);
                folded.Append(folds[i] ? "\r\n " : " ").Append(words[i]);
            }

            var message = Encoding.UTF8.GetBytes($"To: x@y\r\nSubject: {folded}\r\nFrom: z@w\r\n\r\nbody");
            return HeaderField.Find(message, "subject"u8) == value.ToString();
        });
    }
}
