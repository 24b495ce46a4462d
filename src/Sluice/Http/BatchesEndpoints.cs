using System.Text.Json;
using Sluice.Core.Intake;
using Sluice.Core.State;

namespace Sluice.Http;

/// <summary>
/// <c>POST /api/v1/batches</c>: one template rendered for each of up to 1,000 recipients, each its
/// own message. The template is compiled once; the messages are made durable together (the spool
/// commits them in a few group commits). Every recipient gets its own result: queued with an id,
/// rejected (suppressed), or invalid (address, render error); the batch is 200 when any was queued.
/// </summary>
internal static class BatchesEndpoints
{
    public const int MaxRecipients = 1000;

    /// <summary>Messages of one batch being built and stored at once.</summary>
    private const int InHand = 64;

    public static void Map(WebApplication app)
    {
        app.MapPost("/api/v1/batches", async (HttpContext context, IIdempotencyStore idempotency, Submission submission) =>
        {
            using var body = await SpooledBody.ReadAsync(context.Request, submission.SpillDirectory, context.RequestAborted);
            return await Idempotency.RunAsync(context, body, idempotency, submission.Time, () => RunAsync(context, body, submission));
        })
            .RequireScope(ApiScopes.Send)
            .Accepts<BatchRequest>("application/json")
            .Produces(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Send one template to up to 1,000 recipients, each with its own variables.");
    }

    private static async Task<IdempotentResponse> RunAsync(HttpContext context, SpooledBody body, Submission submission)
    {
        var attachments = JsonAttachments.Scan(body);
        BatchRequest? batch;
        try
        {
            await using var json = attachments.OpenJson();
            batch = await JsonSerializer.DeserializeAsync<BatchRequest>(json, MessagesEndpoints.Json, context.RequestAborted);
        }
        catch (JsonException ex)
        {
            return ApiProblems.InvalidJson(ex, typeof(BatchRequest));
        }

        if (batch?.Template is not { } reference || batch.Recipients is not { Length: > 0 and <= MaxRecipients } recipients)
        {
            return ApiProblems.Problem(StatusCodes.Status400BadRequest, "Invalid batch", $"A batch needs a template and from 1 to {MaxRecipients} recipients.");
        }

        var (compiled, problem) = await TemplateRendering.CompileAsync(reference, submission, context.RequestAborted);
        if (compiled is null)
        {
            return problem!;
        }

        var key = (ApiKey)context.Items[ApiKeyAuthentication.ItemKey]!;
        var client = context.Connection.RemoteIpAddress;
        var now = submission.Time.GetUtcNow();
        var results = new object?[recipients.Length];
        var accepted = 0;
        var next = -1;

        // A few messages in hand at a time, not the whole batch: each holds its MIME tree and buffer
        // until the spool has it. Enough run together to share the spool's group commits.
        async Task WorkAsync()
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < recipients.Length)
            {
                results[index] = await SendOneAsync(index);
            }
        }

        async Task<object> SendOneAsync(int index)
        {
            var recipient = recipients[index];
            var request = new SendMessageRequest(
                batch.From, recipient.To is null ? null : [recipient.To], recipient.Cc, null, batch.ReplyTo, null, null, null,
                batch.Attachments, batch.Headers, recipient.Tags ?? batch.Tags, recipient.Metadata ?? batch.Metadata, Unsubscribe: batch.Unsubscribe);
            var (rendered, renderError) = await TemplateRendering.RenderAsync(compiled, request, recipient.Variables);
            if (rendered is null)
            {
                return new { index, to = recipient.To, status = "invalid", error = renderError!.ToString() };
            }

            var id = submission.Ids.Next();
            var (message, errors) = MessageComposer.Compose(rendered, id, submission.Hostname, now, client?.ToString(), key.Name, attachments, submission.Unsubscribe);
            if (message is null)
            {
                return new { index, to = recipient.To, status = "invalid", error = string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")) };
            }

            var result = await submission.Intake.SubmitAsync(message.Envelope, id, now, client, message, key.StrictValidation, submission.Options.Http.MaxMessageSize, CancellationToken.None);
            if (result.IsStored)
            {
                Interlocked.Increment(ref accepted);
            }

            return result.Outcome switch
            {
                IntakeOutcome.Stored or IntakeOutcome.PartlyRejected => new { index, to = recipient.To, status = "queued", id = id.Value },
                IntakeOutcome.TooLarge => new { index, to = recipient.To, status = "invalid", error = $"{result.Size} bytes, over the limit of {submission.Options.Http.MaxMessageSize}" },
                IntakeOutcome.Rejected => new { index, to = recipient.To, status = "rejected", error = "no recipient can be sent to", rejected = ApiProblems.Rejected(result) },
                _ => new { index, to = recipient.To, status = "failed", error = result.Outcome.ToString() },
            };
        }

        var workers = new Task[Math.Min(InHand, recipients.Length)];
        for (var w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(WorkAsync);
        }

        await Task.WhenAll(workers);
        var answer = JsonSerializer.Serialize(new { accepted, refused = recipients.Length - accepted, results }, MessagesEndpoints.Json);
        return new IdempotentResponse(accepted > 0 ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity, "application/json", answer);
    }
}
