using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Sluice.Logging;

/// <summary>
/// Writes each log entry as one line of JSON in the Elastic Common Schema's log format
/// (ecs-logging: <c>@timestamp</c>, <c>log.level</c>, <c>message</c>, <c>ecs.version</c> first):
/// the logger's category as <c>log.logger</c>, the stable event id as <c>event.code</c> (its name as
/// <c>event.action</c>), the message's named values under <c>labels</c>, an exception as
/// <c>error.*</c>. Never the template's secrets: it writes what the message template names.
/// </summary>
internal sealed class EcsConsoleFormatter(TimeProvider time) : ConsoleFormatter(FormatName)
{
    public const string FormatName = "ecs";
    private const string EcsVersion = "8.11.0";
    private static readonly int ProcessId = Environment.ProcessId;

    public EcsConsoleFormatter()
        : this(TimeProvider.System)
    {
    }

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        ArgumentNullException.ThrowIfNull(textWriter);
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("@timestamp", time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("log.level", Level(logEntry.LogLevel));
            json.WriteString("message", message ?? string.Empty);
            json.WriteString("ecs.version", EcsVersion);
            json.WriteString("log.logger", logEntry.Category);
            if (logEntry.EventId.Id != 0)
            {
                json.WriteString("event.code", logEntry.EventId.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
                if (logEntry.EventId.Name is { } name)
                {
                    json.WriteString("event.action", name);
                }
            }

            json.WriteString("service.name", "sluice");
            json.WriteNumber("process.pid", ProcessId);
            if (logEntry.State is IReadOnlyList<KeyValuePair<string, object?>> values && values.Count > 1)
            {
                json.WriteStartObject("labels");
                foreach (var (key, value) in values)
                {
                    // The template itself is in "message" already.
                    if (key != "{OriginalFormat}")
                    {
                        json.WriteString(key, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
                    }
                }

                json.WriteEndObject();
            }

            if (logEntry.Exception is { } exception)
            {
                json.WriteString("error.type", exception.GetType().FullName);
                json.WriteString("error.message", exception.Message);
                json.WriteString("error.stack_trace", exception.ToString());
            }

            json.WriteEndObject();
        }

        textWriter.Write(System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
        textWriter.Write('\n');
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "error",
        LogLevel.Critical => "critical",
        _ => "none",
    };
}
