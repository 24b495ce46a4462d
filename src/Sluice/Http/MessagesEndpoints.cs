using System.Text.Json;
using MimeKit;
using Sluice.Core.Messages;
using Sluice.Core.Intake;
using Sluice.Core.Queue;
using Sluice.Core.State;
using Sluice.Delivery.Events;

namespace Sluice.Http;

/// <summary>
/// The sending API: <c>POST /api/v1/messages</c> (JSON built with MimeKit, or a raw RFC 5322
/// message) answers 202 with the id only once the message is durable in the spool, like the SMTP
/// 250; <c>GET /api/v1/messages/{id}</c> gives its state and the timeline of its events.
/// </summary>
internal static class MessagesEndpoints
{
    // A field the request type does not have is an error, not ignored: "subjet" must not send a
    // message without a subject.
    // Relaxed escaping: answers are JSON for API clients, not HTML, so "'" and "<" stay themselves.
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Map(WebApplication app)
    {
        app.MapPost("/api/v1/messages", async (HttpContext context, IIdempotencyStore idempotency, Submission submission) =>
        {
            using var body = await SpooledBody.ReadAsync(context.Request, submission.SpillDirectory, context.RequestAborted);
            return await Idempotency.RunAsync(context, body, idempotency, submission.Time, () => SubmitAsync(context, body, submission));
        })
            .RequireScope(ApiScopes.Send)
            .Accepts<SendMessageRequest>("application/json", "message/rfc822")
            .Produces(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Send one message; 202 once it is durable. Idempotency-Key supported.");

        app.MapGet("/api/v1/messages/{id}", async (string id, IMessageQueue queue, DeliveryEventLog events, TimeProvider time, CancellationToken ct) =>
        {
            var messageId = new MessageId(id);
            var entry = await queue.GetAsync(messageId, ct);
            var timeline = await events.ReadMessageAsync(id, messageId.Timestamp ?? time.GetUtcNow().AddDays(-7), ct);
            if (entry is null && timeline.Count == 0)
            {
                return Results.Problem(title: "Not found", detail: $"No message {id}.", statusCode: StatusCodes.Status404NotFound);
            }

            var recipients = new Dictionary<string, (string Status, string? Reply)>(StringComparer.OrdinalIgnoreCase);
            foreach (var e in timeline)
            {
                if (e.Recipient is { } r)
                {
                    recipients[r] = (Status(e.Type), e.Reply ?? recipients.GetValueOrDefault(r).Reply);
                }
            }

            return Results.Ok(new
            {
                id,
                state = entry is null ? "done" : QueueStateNames.Name(entry.State),
                receivedAt = entry?.ReceivedAt ?? timeline.FirstOrDefault()?.Time,
                attempts = entry?.Attempts,
                nextAttemptAt = entry?.NextAttemptAt,
                tags = entry?.Envelope.Tags,
                metadata = entry?.Envelope.Metadata,
                recipients = recipients.Select(p => new { address = p.Key, status = p.Value.Status, lastReply = p.Value.Reply }),
                events = timeline.Select(e => new { time = e.Time, type = e.Type.ToString(), recipient = e.Recipient, site = e.Site, remoteMta = e.RemoteMta, attempt = e.Attempt, reply = e.Reply, classification = e.Classification, durationMs = e.DurationMs }),
            });
        }).RequireScope(ApiScopes.Read);
    }

    private static string Status(DeliveryEventType type) => type switch
    {
        DeliveryEventType.Reception => "queued",
        DeliveryEventType.Delivery => "delivered",
        DeliveryEventType.TransientFailure => "deferred",
        DeliveryEventType.Bounce => "bounced",
        DeliveryEventType.Expiration => "expired",
        _ => type.ToString().ToLowerInvariant(),
    };

    private static async Task<IdempotentResponse> SubmitAsync(HttpContext context, SpooledBody body, Submission submission)
    {
        var key = (ApiKey)context.Items[ApiKeyAuthentication.ItemKey]!;
        var id = submission.Ids.Next();
        var now = submission.Time.GetUtcNow();
        var client = context.Connection.RemoteIpAddress;
        Envelope envelope;
        IMessageContent content;
        var mediaType = context.Request.ContentType?.Split(';')[0].Trim();
        if (string.Equals(mediaType, "message/rfc822", StringComparison.OrdinalIgnoreCase))
        {
            if (RawEnvelope(context.Request, client, key.Name) is not { } raw || RawMessage.TryParse(body, $"{id.Value}@{submission.Hostname}") is not { } message)
            {
                return Problem(StatusCodes.Status400BadRequest, "Invalid message", "A raw message needs ?from=ADDRESS&to=ADDRESS[,ADDRESS…] and a body that parses as RFC 5322.");
            }

            (envelope, content) = (raw, message);
        }
        else if (string.Equals(mediaType, "application/json", StringComparison.OrdinalIgnoreCase))
        {
            var attachments = JsonAttachments.Scan(body);
            SendMessageRequest? request;
            try
            {
                await using var json = attachments.OpenJson();
                request = await JsonSerializer.DeserializeAsync<SendMessageRequest>(json, Json, context.RequestAborted);
            }
            catch (JsonException ex)
            {
                return InvalidJson(ex, typeof(SendMessageRequest));
            }

            if (request is null)
            {
                return Problem(StatusCodes.Status400BadRequest, "Invalid JSON", "The body is empty.");
            }

            if (request.Template is { } reference)
            {
                var (compiled, problem) = await CompileAsync(reference, submission, context.RequestAborted);
                if (compiled is null)
                {
                    return problem!;
                }

                var (rendered, renderError) = await RenderAsync(compiled, request, request.Variables);
                if (rendered is null)
                {
                    return TemplateProblem(renderError!);
                }

                request = rendered;
            }

            var (composed, errors) = MessageComposer.Compose(request, id, submission.Hostname, now, client?.ToString(), key.Name, attachments);
            if (composed is null)
            {
                return Invalid(errors);
            }

            (envelope, content) = (composed.Envelope, composed);
        }
        else
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send application/json (a message to build) or message/rfc822 (a message as it is).");
        }

        var result = await submission.Intake.SubmitAsync(envelope, id, now, client, content, key.StrictValidation, submission.Options.Http.MaxMessageSize, CancellationToken.None);
        return result.Outcome switch
        {
            IntakeOutcome.Stored or IntakeOutcome.PartlyRejected => new IdempotentResponse(StatusCodes.Status202Accepted, "application/json", JsonSerializer.Serialize(new { id = id.Value, recipients = result.Queued, queuedAt = now, rejected = Rejected(result) }, Json)),
            IntakeOutcome.Rejected => new IdempotentResponse(StatusCodes.Status422UnprocessableEntity, "application/problem+json", JsonSerializer.Serialize(new
            {
                title = "No deliverable recipient",
                status = 422,
                detail = "No recipient can be sent to (suppressed, or a domain that does not accept mail); nothing was queued.",
                rejected = Rejected(result),
            }, Json)),
            _ => Failure(result, submission),
        };
    }

    /// <summary>Each refused recipient as the API reports it: address, reason, enhanced status code.</summary>
    internal static object[] Rejected(IntakeResult result)
    {
        var list = new object[result.Refused.Count];
        for (var i = 0; i < list.Length; i++)
        {
            var refusal = result.Refused[i];
            list[i] = new { address = refusal.Address, error = refusal.Reason, code = refusal.Code };
        }

        return list;
    }

    /// <summary>A stored or inline template, compiled (from the cache when stored); or the problem to answer.</summary>
    internal static async Task<(Core.Templates.CompiledTemplate? Template, IdempotentResponse? Problem)> CompileAsync(TemplateReference reference, Submission submission, CancellationToken cancellationToken)
    {
        var (compiled, error, unknown) = await TemplatesEndpoints.ResolveAsync(reference, submission.Templates, submission.Engine, cancellationToken);
        if (compiled is not null)
        {
            return (compiled, null);
        }

        return (null, unknown
            ? Problem(StatusCodes.Status422UnprocessableEntity, "Unknown template", $"No template {reference.Id}{(reference.Version is { } v ? $" version {v}" : string.Empty)}.")
            : TemplateProblem(error!));
    }

    /// <summary>The request with subject, html and text rendered from the template (parts the template lacks keep the request's).</summary>
    internal static async Task<(SendMessageRequest? Request, Core.Templates.TemplateError? Error)> RenderAsync(Core.Templates.CompiledTemplate template, SendMessageRequest request, JsonElement? variables)
    {
        var (parts, error) = await Core.Templates.TemplateEngine.RenderAsync(template, variables);
        return parts is null
            ? (null, error)
            : (request with { Subject = parts.Subject ?? request.Subject, Html = parts.Html ?? request.Html, Text = parts.Text ?? request.Text }, null);
    }

    /// <summary>Nothing was queued: too large (413), out of space or stopping (503), or a storage failure (500).</summary>
    internal static IdempotentResponse Failure(IntakeResult result, Submission submission) => result.Outcome switch
    {
        IntakeOutcome.TooLarge => TooLargeProblem(result.Size, submission),
        IntakeOutcome.StorageFull => Problem(StatusCodes.Status503ServiceUnavailable, "Storage full", "The spool is out of space; nothing was queued. Retry later."),
        IntakeOutcome.ShuttingDown => Problem(StatusCodes.Status503ServiceUnavailable, "Shutting down", "The node is stopping; nothing was queued. Retry on another node or later."),
        _ => Problem(StatusCodes.Status500InternalServerError, "Storage failed", "The message could not be made durable; nothing was queued."),
    };

    internal static IdempotentResponse TooLargeProblem(long size, Submission submission)
        => Problem(StatusCodes.Status413PayloadTooLarge, "Message too large", $"The message is {size} bytes; this node takes at most {submission.Options.Http.MaxMessageSize}.");

    /// <summary>400 naming the field and what it should be (an unknown field: the one meant).</summary>
    internal static IdempotentResponse InvalidJson(JsonException exception, Type requestType)
    {
        var (field, reason) = JsonProblem.Describe(exception, requestType);
        return InvalidField(field, reason);
    }

    /// <summary>400 for one field that could not be read: the body of every "what did not bind" answer.</summary>
    internal static IdempotentResponse InvalidField(string field, string reason)
        => new(StatusCodes.Status400BadRequest, "application/problem+json", JsonSerializer.Serialize(new
        {
            type = "https://tools.ietf.org/html/rfc9110#section-15.5.1",
            title = reason.StartsWith("not valid JSON", StringComparison.Ordinal) ? "Invalid JSON" : "Invalid request",
            status = 400,
            detail = $"{field}: {reason}",
            errors = new Dictionary<string, string[]> { [field] = [reason] },
        }, Json));

    internal static IdempotentResponse Invalid(Dictionary<string, string[]> errors)
        => new(StatusCodes.Status400BadRequest, "application/problem+json", JsonSerializer.Serialize(new
        {
            type = "https://tools.ietf.org/html/rfc9110#section-15.5.1",
            title = "Invalid message",
            status = 400,
            detail = "Some fields are missing or invalid.",
            errors,
        }, Json));

    /// <summary>422 naming the template part, line, column and reason (also the answer of the template endpoints).</summary>
    internal static IdempotentResponse TemplateProblem(Core.Templates.TemplateError error)
        => new(StatusCodes.Status422UnprocessableEntity, "application/problem+json", JsonSerializer.Serialize(new
        {
            title = "Template error",
            status = 422,
            detail = error.ToString(),
            part = error.Part,
            line = error.Line,
            column = error.Column,
            reason = error.Reason,
        }, Json));

    /// <summary>The envelope of a raw submission, from <c>?from=</c> and <c>?to=</c>; null when either is missing or not an address.</summary>
    private static Envelope? RawEnvelope(HttpRequest request, System.Net.IPAddress? client, string keyName)
    {
        var from = request.Query["from"].ToString();
        var to = request.Query["to"].SelectMany(v => (v ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
        if (string.IsNullOrEmpty(from) || to.Length == 0 || !MailboxAddress.TryParse(from, out var sender) || to.Any(t => !MailboxAddress.TryParse(t, out _)))
        {
            return null;
        }

        var recipients = to.Select(t => new EnvelopeRecipient(MailboxAddress.Parse(t).Address)).DistinctBy(r => r.Address, StringComparer.OrdinalIgnoreCase).ToList();
        return new Envelope(sender.Address, recipients, ClientAddress: client?.ToString(), HeloName: "api", AuthenticatedUser: keyName);
    }

    internal static IdempotentResponse Problem(int status, string title, string detail)
        => new(status, "application/problem+json", JsonSerializer.Serialize(new { title, status, detail }, Json));
}
