using System.Text.Json;
using Sluice.Core.Intake;

namespace Sluice.Http;

/// <summary>
/// The API's answers for what went wrong, as problem+json (RFC 9457) that can be kept under an
/// Idempotency-Key: what did not bind, an invalid message, a template error, and the intake
/// stage's refusals mapped to HTTP (413, 422, 503, 500).
/// </summary>
internal static class ApiProblems
{
    /// <summary>Nothing was queued: too large (413), out of space or stopping (503), or a storage failure (500).</summary>
    public static IdempotentResponse Failure(IntakeResult result, Submission submission) => result.Outcome switch
    {
        IntakeOutcome.TooLarge => TooLargeProblem(result.Size, submission),
        IntakeOutcome.StorageFull => Problem(StatusCodes.Status503ServiceUnavailable, "Storage full", "The spool is out of space; nothing was queued. Retry later."),
        IntakeOutcome.ShuttingDown => Problem(StatusCodes.Status503ServiceUnavailable, "Shutting down", "The node is stopping; nothing was queued. Retry on another node or later."),
        IntakeOutcome.Unavailable => Problem(StatusCodes.Status503ServiceUnavailable, "Queue unavailable", "The cluster's message queue cannot be reached; nothing was queued. Retry later."),
        _ => Problem(StatusCodes.Status500InternalServerError, "Storage failed", "The message could not be made durable; nothing was queued."),
    };

    public static IdempotentResponse TooLargeProblem(long size, Submission submission)
        => Problem(StatusCodes.Status413PayloadTooLarge, "Message too large", $"The message is {size} bytes; this node takes at most {submission.Options.Http.MaxMessageSize}.");

    /// <summary>400 naming the field and what it should be (an unknown field: the one meant).</summary>
    public static IdempotentResponse InvalidJson(JsonException exception, Type requestType)
    {
        var (field, reason) = JsonProblem.Describe(exception, requestType);
        return InvalidField(field, reason);
    }

    /// <summary>400 for one field that could not be read: the body of every "what did not bind" answer.</summary>
    public static IdempotentResponse InvalidField(string field, string reason)
        => new(StatusCodes.Status400BadRequest, "application/problem+json", JsonSerializer.Serialize(new
        {
            type = "https://tools.ietf.org/html/rfc9110#section-15.5.1",
            title = reason.StartsWith("not valid JSON", StringComparison.Ordinal) ? "Invalid JSON" : "Invalid request",
            status = 400,
            detail = $"{field}: {reason}",
            errors = new Dictionary<string, string[]> { [field] = [reason] },
        }, MessagesEndpoints.Json));

    public static IdempotentResponse Invalid(Dictionary<string, string[]> errors)
        => new(StatusCodes.Status400BadRequest, "application/problem+json", JsonSerializer.Serialize(new
        {
            type = "https://tools.ietf.org/html/rfc9110#section-15.5.1",
            title = "Invalid message",
            status = 400,
            detail = "Some fields are missing or invalid.",
            errors,
        }, MessagesEndpoints.Json));

    /// <summary>422 naming the template part, line, column and reason (also the answer of the template endpoints).</summary>
    public static IdempotentResponse TemplateProblem(Core.Templates.TemplateError error)
        => new(StatusCodes.Status422UnprocessableEntity, "application/problem+json", JsonSerializer.Serialize(new
        {
            title = "Template error",
            status = 422,
            detail = error.ToString(),
            part = error.Part,
            line = error.Line,
            column = error.Column,
            reason = error.Reason,
        }, MessagesEndpoints.Json));

    public static IdempotentResponse Problem(int status, string title, string detail)
        => new(status, "application/problem+json", JsonSerializer.Serialize(new { title, status, detail }, MessagesEndpoints.Json));

    /// <summary>Each refused recipient as the API reports it: address, reason, enhanced status code.</summary>
    public static object[] Rejected(IntakeResult result)
    {
        var list = new object[result.Refused.Count];
        for (var i = 0; i < list.Length; i++)
        {
            var refusal = result.Refused[i];
            list[i] = new { address = refusal.Address, error = refusal.Reason, code = refusal.Code };
        }

        return list;
    }
}
