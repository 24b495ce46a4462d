using Sluice.Core.Webhooks;

namespace Sluice.Webhooks;

internal sealed partial class WebhookDispatcher
{
    private async Task RunAsync(string webhookId, CancellationToken stop)
    {
        IWebhookClaim? claim = null;
        try
        {
            // In a cluster one node posts each webhook: the others wait until its claim is free (its node gone).
            while ((claim = await _store.ClaimAsync(webhookId, stop).ConfigureAwait(false)) is null)
            {
                await Task.Delay(ClaimRetry, _time, stop).ConfigureAwait(false);
            }

            // Read afresh, once claimed: the cursor stored by an earlier loop (here or on another node) is where this one starts.
            if (await _store.GetAsync(webhookId, stop).ConfigureAwait(false) is not { } webhook)
            {
                return;
            }

            WebhookLog.Started(_logger, webhook.Id, webhook.Url.AbsoluteUri, webhook.Cursor);
            var cursor = webhook.Cursor;
            var attempt = 0;
            while (!stop.IsCancellationRequested)
            {
                var (events, readTo) = await _index.ReadAfterAsync(cursor, webhook.EventMask, _options.BatchSize, stop).ConfigureAwait(false);
                if (events.Count == 0)
                {
                    if (readTo > cursor)
                    {
                        // Events none of this webhook's types: the cursor passes over them.
                        cursor = readTo;
                        await _store.AdvanceAsync(webhook.Id, cursor, stop).ConfigureAwait(false);
                    }

                    await _index.WaitForEventsAsync(cursor, stop).ConfigureAwait(false);
                    continue;
                }

                if (!await claim.HeldAsync(stop).ConfigureAwait(false))
                {
                    // The claim's connection broke: another node may post from the stored cursor now.
                    WebhookLog.ClaimLost(_logger, webhook.Id);
                    return;
                }

                var body = WebhookPayload.Build(webhook.Id, events);
                var error = await PostAsync(webhook, body, stop).ConfigureAwait(false);
                if (error is null)
                {
                    _metrics.WebhookPosts.Add(1, new("outcome", "delivered"), new("webhook", webhook.Id));
                    _metrics.WebhookEvents.Add(events.Count, new("outcome", "delivered"), new("webhook", webhook.Id));
                    cursor = readTo;
                    attempt = 0;
                    await _store.AdvanceAsync(webhook.Id, cursor, CancellationToken.None).ConfigureAwait(false);
                    continue;
                }

                _metrics.WebhookPosts.Add(1, new("outcome", "failed"), new("webhook", webhook.Id));
                attempt++;
                if (attempt >= _options.MaxAttempts)
                {
                    var letter = new WebhookDeadLetter(0, webhook.Id, _time.GetUtcNow(), attempt, error, events.Count, System.Text.Encoding.UTF8.GetString(body));
                    await _store.DeadLetterAsync(letter, readTo, CancellationToken.None).ConfigureAwait(false);
                    _metrics.WebhookEvents.Add(events.Count, new("outcome", "dead_lettered"), new("webhook", webhook.Id));
                    WebhookLog.DeadLettered(_logger, webhook.Id, events.Count, attempt, error);
                    cursor = readTo;
                    attempt = 0;
                    continue;
                }

                var delay = Backoff(attempt);
                if (_failureLog.ShouldLog(webhook.Id, out var unlogged))
                {
                    WebhookLog.PostFailed(_logger, webhook.Id, events.Count, error, attempt, _options.MaxAttempts, delay, unlogged);
                }

                await Task.Delay(delay, _time, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped or changed: the stored cursor is where the next loop starts.
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or IOException or TimeoutException)
        {
            // The index or the webhook store failed: the next look (within 30 s) starts the loop again from the stored cursor.
            WebhookLog.LoopFailed(_logger, webhookId, ex);
        }
        finally
        {
            if (claim is not null)
            {
                await claim.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>RetryBase × 2^(attempt−1), at most RetryMax, then ±20 % so that many webhooks failing together do not retry in step.</summary>
    private TimeSpan Backoff(int attempt)
        => Core.Backoff.Doubling(_options.RetryBase, _options.RetryMax, attempt) * (0.8 + (0.4 * _random.NextDouble()));

    /// <summary>One signed post; null when the endpoint answered 2xx, else what went wrong (status or fault), for the log and the dead letter.</summary>
    private async Task<string?> PostAsync(Webhook webhook, byte[] body, CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(_options.Timeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url)
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add(WebhookSignature.Header, WebhookSignature.Create(webhook.Secret, _time.GetUtcNow(), body));
        request.Headers.Add("Sluice-Webhook-Id", webhook.Id);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            return response.IsSuccessStatusCode
                ? null
                : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            return $"no answer within {_options.Timeout}";
        }
        catch (HttpRequestException ex)
        {
            return ex.HttpRequestError == HttpRequestError.Unknown ? ex.Message : $"{ex.HttpRequestError}: {ex.Message}";
        }
    }

    /// <summary>
    /// Posts dead letters again (all of a webhook's, or one), signed anew with the current time:
    /// each taken is removed, each refused stays with its tries counted. Returns how many went and
    /// how many failed.
    /// </summary>
    public async Task<(int Replayed, int Failed)> ReplayAsync(Webhook webhook, long? letterId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        var replayed = 0;
        var failed = 0;
        foreach (var letter in await _store.DeadLettersAsync(webhook.Id, cancellationToken).ConfigureAwait(false))
        {
            if (letterId is { } only && letter.Id != only)
            {
                continue;
            }

            var error = await PostAsync(webhook, System.Text.Encoding.UTF8.GetBytes(letter.Payload), cancellationToken).ConfigureAwait(false);
            if (error is null)
            {
                await _store.RemoveDeadLetterAsync(letter.Id, CancellationToken.None).ConfigureAwait(false);
                _metrics.WebhookEvents.Add(letter.EventCount, new("outcome", "replayed"), new("webhook", webhook.Id));
                replayed++;
            }
            else
            {
                await _store.UpdateDeadLetterAsync(letter.Id, letter.Attempts + 1, error, _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
                failed++;
            }
        }

        WebhookLog.Replayed(_logger, webhook.Id, replayed, failed);
        return (replayed, failed);
    }
}
