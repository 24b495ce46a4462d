using System.Text.Json;
using MimeKit;
using MimeKit.Utils;
using Sluice.Core.Messages;
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
            using var body = await RequestBody.ReadAsync(context.Request, context.RequestAborted);
            var response = await Idempotency.RunAsync(context, body.Memory, idempotency, submission.Time, () => SubmitAsync(context, body, submission));
            return response;
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

    private static async Task<IdempotentResponse> SubmitAsync(HttpContext context, RequestBody body, Submission submission)
    {
        var key = (ApiKey)context.Items[ApiKeyAuthentication.ItemKey]!;
        var id = submission.Ids.Next();
        var now = submission.Time.GetUtcNow();
        var client = context.Connection.RemoteIpAddress?.ToString();
        ComposedMessage composed;
        var mediaType = context.Request.ContentType?.Split(';')[0].Trim();
        if (string.Equals(mediaType, "message/rfc822", StringComparison.OrdinalIgnoreCase))
        {
            if (Raw(context.Request, body, id, submission.Hostname, client, key.Name) is not { } raw)
            {
                return Problem(StatusCodes.Status400BadRequest, "Invalid message", "A raw message needs ?from=ADDRESS&to=ADDRESS[,ADDRESS…] and a body that parses as RFC 5322.");
            }

            composed = raw;
        }
        else if (string.Equals(mediaType, "application/json", StringComparison.OrdinalIgnoreCase))
        {
            SendMessageRequest? request;
            try
            {
                request = JsonSerializer.Deserialize<SendMessageRequest>(body.Memory.Span, Json);
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

            var (message, errors) = MessageComposer.Compose(request, id, submission.Hostname, now, client, key.Name);
            if (message is null)
            {
                return Invalid(errors);
            }

            composed = message;
        }
        else
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send application/json (a message to build) or message/rfc822 (a message as it is).");
        }

        var (status, rejected, tooLarge) = await QueueAsync(composed, id, now, client, submission, key.StrictValidation);
        if (tooLarge is { } size)
        {
            return TooLargeProblem(size, submission);
        }

        return status switch
        {
            EnqueueResult.Stored => new IdempotentResponse(StatusCodes.Status202Accepted, "application/json", JsonSerializer.Serialize(new { id = id.Value, recipients = composed.Envelope.Recipients.Count - rejected.Count, queuedAt = now, rejected }, Json)),
            null => new IdempotentResponse(StatusCodes.Status422UnprocessableEntity, "application/problem+json", JsonSerializer.Serialize(new
            {
                title = "No deliverable recipient",
                status = 422,
                detail = "No recipient can be sent to (suppressed, or a domain that does not accept mail); nothing was queued.",
                rejected,
            }, Json)),
            _ => Failure(status.Value, submission),
        };
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

    /// <summary>
    /// Refuses suppressed recipients, adds the trace line, checks the size and makes the message
    /// durable. Null status: nothing was queued, because no recipient was left or (TooLarge set) the
    /// message is over the size limit. The rejected list names each refused recipient.
    /// </summary>
    internal static async Task<(EnqueueResult? Status, List<object> Rejected, long? TooLarge)> QueueAsync(ComposedMessage composed, MessageId id, DateTimeOffset now, string? client, Submission submission, bool strict = false)
    {
        // Suppressed recipients are refused one by one (like RCPT's 550 5.7.1); the others still get the message.
        var rejected = new List<object>();
        var kept = new List<EnvelopeRecipient>(composed.Envelope.Recipients.Count);
        foreach (var recipient in composed.Envelope.Recipients)
        {
            if (submission.Suppressions.Find(recipient.Address, composed.Envelope.Sender, now) is { } hit)
            {
                rejected.Add(new { address = recipient.Address, error = $"suppressed ({hit.Reason.ToString().ToLowerInvariant()})", code = "5.7.1" });
            }
            else if (strict && await submission.Validator.CheckDomainAsync(recipient.Domain, CancellationToken.None) is { } invalid)
            {
                rejected.Add(new { address = recipient.Address, error = invalid.Reason, code = invalid.Code });
            }
            else
            {
                kept.Add(recipient);
            }
        }

        if (kept.Count == 0)
        {
            return (null, rejected, null);
        }

        // RFC 5321 §4.4 asks for a trace line from each host that takes a message; the API is a way in too.
        var received = $"from {client ?? "local"} by {submission.Hostname} (Sluice) with HTTP id {id.Value}; {DateUtils.FormatDate(now)}";
        ReadOnlyMemory<byte> queued;
        if (!composed.Original.IsEmpty)
        {
            // A raw submission is queued as it came (ADR 0016's sibling rule for the API: nothing re-serialised).
            queued = RawMime.Queued(composed.Original.Span, composed.Message, id, submission.Hostname, received);
        }
        else
        {
            composed.Message.Headers.Insert(0, new Header("Received", received));
            using var bytes = new MemoryStream();
            await RawMime.WriteAsync(composed.Message, bytes, CancellationToken.None);
            queued = bytes.GetBuffer().AsMemory(0, (int)bytes.Length);
        }

        if (queued.Length > submission.Options.Http.MaxMessageSize)
        {
            return (null, rejected, queued.Length);
        }

        using var buffer = new MessageBuffer(Path.Combine(submission.Options.Node.DataDirectory, "tmp"), queued.Length);
        buffer.Write(queued.Span);
        var envelope = kept.Count == composed.Envelope.Recipients.Count ? composed.Envelope : composed.Envelope with { Recipients = kept };
        return (await submission.Intake.EnqueueAsync(envelope, id, now, buffer, CancellationToken.None), rejected, null);
    }

    internal static IdempotentResponse Failure(EnqueueResult status, Submission submission) => status switch
    {
        EnqueueResult.StorageFull => Problem(StatusCodes.Status503ServiceUnavailable, "Storage full", "The spool is out of space; nothing was queued. Retry later."),
        EnqueueResult.ShuttingDown => Problem(StatusCodes.Status503ServiceUnavailable, "Shutting down", "The node is stopping; nothing was queued. Retry on another node or later."),
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

    private static ComposedMessage? Raw(HttpRequest request, RequestBody body, MessageId id, string hostname, string? client, string keyName)
    {
        var from = request.Query["from"].ToString();
        var to = request.Query["to"].SelectMany(v => (v ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
        if (string.IsNullOrEmpty(from) || to.Length == 0 || !MailboxAddress.TryParse(from, out var sender) || to.Any(t => !MailboxAddress.TryParse(t, out _)))
        {
            return null;
        }

        MimeMessage? message;
        using (var stream = body.AsStream())
        {
            message = RawMime.Parse(stream);
        }

        if (message is null)
        {
            return null;
        }

        var recipients = to.Select(t => new EnvelopeRecipient(MailboxAddress.Parse(t).Address)).DistinctBy(r => r.Address, StringComparer.OrdinalIgnoreCase).ToList();
        return new ComposedMessage(message, new Envelope(sender.Address, recipients, ClientAddress: client, HeloName: "api", AuthenticatedUser: keyName), body.Memory);
    }

    internal static IdempotentResponse Problem(int status, string title, string detail)
        => new(status, "application/problem+json", JsonSerializer.Serialize(new { title, status, detail }, Json));
}
