using System.Text.Json;
using MimeKit;
using Sluice.Core.Intake;
using Sluice.Core.Messages;
using Sluice.Core.Queue;
using Sluice.Core.State;
using Sluice.Core.Events;

namespace Sluice.Http;

/// <summary>
/// The sending API: <c>POST /api/v1/messages</c> (JSON built with MimeKit, or a raw RFC 5322
/// message) answers 202 with the id only once the message is durable in the spool, like the SMTP
/// 250; <c>GET /api/v1/messages/{id}</c> gives its state and the timeline of its events (from the
/// message index), <c>GET /api/v1/messages</c> searches the index.
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

        app.MapGet("/api/v1/messages/{id}", async (string id, IMessageQueue queue, IMessageIndex index, CancellationToken ct) =>
        {
            var (entry, indexed, timeline) = await MessageLookup.LoadAsync(id, queue, index, ct);
            if (entry is null && indexed is null && timeline.Count == 0)
            {
                return Results.Problem(title: "Not found", detail: $"No message {id}.", statusCode: StatusCodes.Status404NotFound);
            }

            return Results.Ok(new
            {
                id,
                state = entry is null ? "done" : QueueStateNames.Name(entry.State),
                receivedAt = entry?.ReceivedAt ?? indexed?.ReceivedAt ?? (timeline.Count > 0 ? timeline[0].Time : null),
                sender = entry?.Envelope.Sender ?? indexed?.Sender,
                subject = indexed?.Subject,
                size = indexed?.Size,
                attempts = entry?.Attempts,
                nextAttemptAt = entry is null ? null : QueueEntryView.NextAttempt(entry),
                tags = entry?.Envelope.Tags ?? indexed?.Tags,
                metadata = entry?.Envelope.Metadata,
                recipients = indexed?.Recipients.Select(r => new { address = r.Address, status = r.State, lastReply = r.Reply, updatedAt = r.UpdatedAt }),
                events = timeline.Select(e => new { time = e.Time, type = EventNames.Name(e.Type), recipient = e.Recipient, site = e.Site, remoteMta = e.RemoteMta, attempt = e.Attempt, reply = e.Reply, classification = e.Classification, durationMs = e.DurationMs }),
            });
        }).RequireScope(ApiScopes.Read);

        app.MapGet("/api/v1/messages", async (HttpRequest request, IMessageIndex index, CancellationToken ct) =>
        {
            var (query, errors) = SearchQuery.Parse(request.Query);
            if (query is null)
            {
                return Results.ValidationProblem(errors, title: "Invalid search");
            }

            var page = await index.SearchAsync(query, ct);
            return Results.Ok(new
            {
                items = page.Messages.Select(m => new { id = m.Id, receivedAt = m.ReceivedAt, sender = m.Sender, subject = m.Subject, tags = m.Tags, size = m.Size, state = m.State, recipients = m.Recipients.Select(r => new { address = r.Address, status = r.State, lastReply = r.Reply }) }),
                nextCursor = page.Next?.Token,
            });
        })
            .RequireScope(ApiScopes.Read)
            .WithSummary("Search messages by recipient, sender (address or @domain), subject, tag, state and time (from/to, ISO 8601); newest first, paged by cursor.");
    }

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
                return ApiProblems.Problem(StatusCodes.Status400BadRequest, "Invalid message", "A raw message needs ?from=ADDRESS&to=ADDRESS[,ADDRESS…] and a body that parses as RFC 5322.");
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
                return ApiProblems.InvalidJson(ex, typeof(SendMessageRequest));
            }

            if (request is null)
            {
                return ApiProblems.Problem(StatusCodes.Status400BadRequest, "Invalid JSON", "The body is empty.");
            }

            if (request.Template is { } reference)
            {
                var (compiled, problem) = await TemplateRendering.CompileAsync(reference, submission, context.RequestAborted);
                if (compiled is null)
                {
                    return problem!;
                }

                var (rendered, renderError) = await TemplateRendering.RenderAsync(compiled, request, request.Variables);
                if (rendered is null)
                {
                    return ApiProblems.TemplateProblem(renderError!);
                }

                request = rendered;
            }

            var (composed, errors) = MessageComposer.Compose(request, id, submission.Hostname, now, client?.ToString(), key.Name, attachments, submission.Unsubscribe);
            if (composed is null)
            {
                return ApiProblems.Invalid(errors);
            }

            (envelope, content) = (composed.Envelope, composed);
        }
        else
        {
            return ApiProblems.Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send application/json (a message to build) or message/rfc822 (a message as it is).");
        }

        var result = await submission.Intake.SubmitAsync(envelope, id, now, client, content, key.StrictValidation, submission.Options.Http.MaxMessageSize, CancellationToken.None);
        return result.Outcome switch
        {
            IntakeOutcome.Stored or IntakeOutcome.PartlyRejected => new IdempotentResponse(StatusCodes.Status202Accepted, "application/json", JsonSerializer.Serialize(new { id = id.Value, recipients = result.Queued, queuedAt = now, rejected = ApiProblems.Rejected(result) }, Json)),
            IntakeOutcome.Rejected => new IdempotentResponse(StatusCodes.Status422UnprocessableEntity, "application/problem+json", JsonSerializer.Serialize(new
            {
                title = "No deliverable recipient",
                status = 422,
                detail = "No recipient can be sent to (suppressed, or a domain that does not accept mail); nothing was queued.",
                rejected = ApiProblems.Rejected(result),
            }, Json)),
            _ => ApiProblems.Failure(result, submission),
        };
    }

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
}
