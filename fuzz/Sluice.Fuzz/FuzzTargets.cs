using System.Buffers;
using Sluice.Core.Messages;
using Sluice.Core.Proxy;
using Sluice.Http;
using Sluice.Smtp;

namespace Sluice.Fuzz;

/// <summary>
/// What the fuzzer feeds hostile bytes to: the parsers that read what a client sends. A target
/// returns normally for any input, valid or not (refusals are values here, not exceptions); an
/// exception, or a broken invariant (thrown as <see cref="InvariantBrokenException"/>), is a finding.
/// Nothing instrumented may run before the fuzzer's driver starts (no static state from Sluice
/// types here): SharpFuzz's coverage map does not exist until then.
/// </summary>
public static class FuzzTargets
{
    /// <summary>The targets by name, as the command line and the corpus folders call them.</summary>
    public static IReadOnlyDictionary<string, Action<byte[]>> All { get; } = new Dictionary<string, Action<byte[]>>(StringComparer.Ordinal)
    {
        ["command"] = Command,
        ["data"] = Data,
        ["proxy"] = Proxy,
        ["mime"] = Mime,
        ["reply"] = Reply,
    };

    /// <summary>
    /// Command lines as the server frames and parses them: lines are cut with the server's line
    /// reader, each one's verb parsed, and MAIL/RCPT arguments parsed as paths with parameters.
    /// </summary>
    public static void Command(byte[] input)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(input));
        while (true)
        {
            var status = SmtpLineReader.TryReadLine(ref reader, 1024, out var framed);
            if (status == LineStatus.NeedMore)
            {
                return;
            }

            if (status == LineStatus.TooLong && !SmtpLineReader.TrySkipPastLineEnd(ref reader))
            {
                return;
            }

            if (status != LineStatus.Complete)
            {
                continue;
            }

            var line = framed.ToArray();
            var verb = SmtpCommandLine.ParseVerb(line, out var arguments);
            if (verb is SmtpVerb.Mail or SmtpVerb.Rcpt)
            {
                var mail = verb == SmtpVerb.Mail;
                foreach (var utf8 in (bool[])[false, true])
                {
                    if (SmtpPathParser.TryParse(arguments, mail ? "FROM:"u8 : "TO:"u8, mail, utf8, out var command) == PathStatus.Ok)
                    {
                        Check(command is not null, "Ok without a command");
                        _ = command!.Find("SIZE", out _);
                        _ = Xtext.IsValid(command.Find("ENVID", out _));
                    }
                }
            }
        }
    }

    /// <summary>
    /// The DATA decoder, with a differential check: the input decoded in one call and decoded in
    /// two pieces split anywhere give the same bytes and stop at the same place (the decoder keeps
    /// its state across reads, so where a read ends must not matter).
    /// </summary>
    public static void Data(byte[] input)
    {
        var whole = Decode(input, input.Length);
        var split = input.Length == 0 ? 0 : input[0] % input.Length;
        var pieces = Decode(input, split);
        Check(whole.Output.AsSpan().SequenceEqual(pieces.Output), "split input decoded differently");
        Check(whole.Consumed == pieces.Consumed && whole.Complete == pieces.Complete, "split input ended differently");

        var checker = new LineChecker(1000);
        checker.Observe(whole.Output);
        checker.Complete();
    }

    /// <summary>PROXY v1/v2 headers; a header read as Done must have consumed what it claims, and no more than the input.</summary>
    public static void Proxy(byte[] input)
    {
        var status = ProxyProtocol.TryParse(input, out var header, out var consumed);
        Check(status != ProxyParseStatus.Done || (header is not null && consumed > 0 && consumed <= input.Length), "Done with a bad header or length");
        if (status == ProxyParseStatus.Done && header!.Source is { } source && header.Destination is { } destination)
        {
            // What we write must read back as itself.
            var again = ProxyProtocol.TryParse(ProxyProtocol.WriteV2(source, destination), out var copy, out _);
            Check(again == ProxyParseStatus.Done && Equals(copy!.Source, source) && Equals(copy.Destination, destination), "a written header did not read back");
        }
    }

    /// <summary>
    /// MIME intake of the API's raw messages: parsed (validation), then the queued bytes written;
    /// they must end in CRLF, have no bare CR or LF, and hold the original's text otherwise unchanged.
    /// </summary>
    public static void Mime(byte[] input)
    {
        var spill = Path.GetTempPath();
        var buffer = new MessageBuffer(spill);
        buffer.Write(input);
        using var body = SpooledBody.Wrap(buffer);
        if (RawMessage.TryParse(body, "01M8NK15CNT785CBVZY62K8R4M@fuzz.sluice.test") is not { } message)
        {
            return;
        }

        using var output = new MessageBuffer(spill);
        message.WriteToAsync(new MessageBufferWriteStream(output), CancellationToken.None).AsTask().GetAwaiter().GetResult();
        var queued = output.ToArray();
        Check(queued.AsSpan().EndsWith("\r\n"u8), "queued bytes do not end in CRLF");
        for (var i = 0; i < queued.Length; i++)
        {
            Check(queued[i] != (byte)'\n' || (i > 0 && queued[i - 1] == (byte)'\r'), "a bare LF in the queued bytes");
            Check(queued[i] != (byte)'\r' || (i + 1 < queued.Length && queued[i + 1] == (byte)'\n'), "a bare CR in the queued bytes");
        }

        var text = Without(input, (byte)'\r', (byte)'\n');
        var written = Without(queued, (byte)'\r', (byte)'\n');
        Check(written.AsSpan().EndsWith(text), "the queued bytes lost or changed some of the original's text");
    }

    private static byte[] Without(byte[] bytes, byte a, byte b)
    {
        var kept = new List<byte>(bytes.Length);
        foreach (var c in bytes)
        {
            if (c != a && c != b)
            {
                kept.Add(c);
            }
        }

        return [.. kept];
    }

    /// <summary>Replies as the delivery client reads them from a next hop.</summary>
    public static void Reply(byte[] input)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(input));
        while (SmtpReplyParser.TryParse(ref reader, out var reply, out _) == ReplyParseStatus.Complete)
        {
            Check(reply is not null && reply.Code is >= 200 and <= 599, "a reply with an impossible code");
        }
    }

    private static (byte[] Output, long Consumed, bool Complete) Decode(byte[] input, int firstPiece)
    {
        var decoder = new DataDecoder();
        var output = new byte[DataDecoder.MaxOutput(input.Length) + 1];
        var written = 0;
        long consumed = 0;
        var complete = false;
        foreach (var (start, length) in (ReadOnlySpan<(int, int)>)[(0, firstPiece), (firstPiece, input.Length - firstPiece)])
        {
            if (complete || length == 0)
            {
                continue;
            }

            var status = decoder.Decode(input.AsSpan(start, length), output.AsSpan(written), out var used, out var wrote);
            Check(used <= length && wrote <= DataDecoder.MaxOutput(used), "decoder overran");
            written += wrote;
            consumed += used;
            complete = status == DataDecodeStatus.Complete;
        }

        return (output[..written], consumed, complete);
    }

    private static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvariantBrokenException(what);
        }
    }
}
