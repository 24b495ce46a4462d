using System.Globalization;
using System.Text;
using Sluice.Core.State;

namespace Sluice.Http;

/// <summary>
/// The suppression list: add, look up, list (paged), remove, and bulk import/export as CSV
/// (<c>address,reason,scope,expires_at</c>). Changes apply at once to RCPT checks and to deliveries.
/// </summary>
internal static class SuppressionsEndpoints
{
    private const string CsvHeader = "address,reason,scope,expires_at";

    public static string Cursor(Suppression s) => s.Address + "\u0001" + (s.Scope ?? string.Empty);

    public static void Map(WebApplication app)
    {
        var group = app.MapGroup("/api/v1/suppressions");

        group.MapPost("/", async (SuppressionRequest request, ISuppressionStore store, SuppressionList list, TimeProvider time, CancellationToken ct) =>
        {
            var (entry, error) = Parse(request.Address, request.Reason, request.Scope, request.ExpiresAt, time.GetUtcNow());
            if (entry is null)
            {
                return Results.Problem(title: "Invalid suppression", detail: error, statusCode: StatusCodes.Status400BadRequest);
            }

            await store.UpsertAsync([entry], ct);
            list.Add([entry]);
            return Results.Created($"/api/v1/suppressions/{Uri.EscapeDataString(entry.Address)}", View(entry));
        }).RequireScope(ApiScopes.Admin);

        group.MapGet("/", async (ISuppressionStore store, int? limit, string? cursor, CancellationToken ct) =>
        {
            var size = Math.Clamp(limit ?? 100, 1, 1000);
            var page = await store.ListSuppressionsAsync(cursor, size, ct);
            return Results.Ok(new { items = page.Select(View), nextCursor = page.Count == size ? Cursor(page[^1]) : null });
        }).RequireScope(ApiScopes.Read);

        group.MapGet("/export", async (HttpContext context, ISuppressionStore store, CancellationToken ct) =>
        {
            context.Response.ContentType = "text/csv; charset=utf-8";
            await context.Response.WriteAsync(CsvHeader + "\r\n", ct);
            string? after = null;
            while (true)
            {
                var page = await store.ListSuppressionsAsync(after, 1000, ct);
                var chunk = new StringBuilder();
                foreach (var s in page)
                {
                    chunk.Append(CultureInfo.InvariantCulture, $"{s.Address},{s.Reason.ToString().ToLowerInvariant()},{s.Scope},{s.ExpiresAt?.ToString("O", CultureInfo.InvariantCulture)}\r\n");
                }

                await context.Response.WriteAsync(chunk.ToString(), ct);
                if (page.Count < 1000)
                {
                    return;
                }

                after = Cursor(page[^1]);
            }
        }).RequireScope(ApiScopes.Read);

        group.MapPost("/import", async (HttpContext context, ISuppressionStore store, SuppressionList list, TimeProvider time, CancellationToken ct) =>
        {
            var now = time.GetUtcNow();
            var entries = new List<Suppression>();
            var errors = new List<object>();
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var lineNumber = 0;
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                lineNumber++;
                if (line.Length == 0 || (lineNumber == 1 && line.StartsWith("address", StringComparison.OrdinalIgnoreCase)))
                {
                    continue;
                }

                var fields = line.Split(',');
                DateTimeOffset? expires = null;
                if (fields.Length > 3 && fields[3].Length > 0)
                {
                    if (!DateTimeOffset.TryParse(fields[3], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                    {
                        errors.Add(new { line = lineNumber, error = $"expires_at '{fields[3]}' is not a date" });
                        continue;
                    }

                    expires = parsed;
                }

                var (entry, error) = Parse(fields[0], fields.Length > 1 ? fields[1] : null, fields.Length > 2 ? fields[2] : null, expires, now);
                if (entry is null)
                {
                    errors.Add(new { line = lineNumber, error });
                }
                else
                {
                    entries.Add(entry);
                }
            }

            await store.UpsertAsync(entries, ct);
            list.Add(entries);
            return Results.Ok(new { imported = entries.Count, errors });
        }).RequireScope(ApiScopes.Admin);

        group.MapGet("/{address}", async (string address, ISuppressionStore store, CancellationToken ct) =>
        {
            var found = await store.FindSuppressionsAsync(address, ct);
            return found.Count == 0
                ? Results.Problem(title: "Not found", detail: $"{address} is not suppressed.", statusCode: StatusCodes.Status404NotFound)
                : Results.Ok(found.Select(View));
        }).RequireScope(ApiScopes.Read);

        group.MapDelete("/{address}", async (string address, string? scope, ISuppressionStore store, SuppressionList list, CancellationToken ct) =>
        {
            if (!await store.RemoveSuppressionAsync(address, scope, ct))
            {
                return Results.Problem(title: "Not found", detail: $"{address} is not suppressed{(scope is null ? string.Empty : " for " + scope)}.", statusCode: StatusCodes.Status404NotFound);
            }

            list.Remove(address.ToLowerInvariant(), scope?.ToLowerInvariant());
            return Results.Ok(new { address, scope, removed = true });
        }).RequireScope(ApiScopes.Admin);
    }

    private static object View(Suppression s) => new { address = s.Address, scope = s.Scope, reason = s.Reason.ToString().ToLowerInvariant(), createdAt = s.CreatedAt, expiresAt = s.ExpiresAt };

    private static (Suppression? Entry, string? Error) Parse(string? address, string? reason, string? scope, DateTimeOffset? expires, DateTimeOffset now)
    {
        address = address?.Trim();
        if (string.IsNullOrEmpty(address) || !address.Contains('@', StringComparison.Ordinal) || !MessageComposer.IsSmtpAddress(address))
        {
            return (null, $"'{address}' is not an email address");
        }

        var why = SuppressionReason.Manual;
        if (!string.IsNullOrWhiteSpace(reason) && !Enum.TryParse(reason.Trim(), ignoreCase: true, out why))
        {
            return (null, $"reason '{reason}' is not bounce, complaint, unsubscribe or manual");
        }

        scope = string.IsNullOrWhiteSpace(scope) ? null : scope.Trim().ToLowerInvariant();
        if (scope is not null && Uri.CheckHostName(scope) != UriHostNameType.Dns)
        {
            return (null, $"scope '{scope}' is not a domain");
        }

        return (new Suppression(address.ToLowerInvariant(), scope, why, now, expires), null);
    }
}
