namespace Sluice.Testing;

/// <summary>The one way tests wait for something: poll a condition until it holds or a deadline passes (never a bare sleep).</summary>
public static class Poll
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>Polls until <paramref name="condition"/> is true; throws naming <paramref name="what"/> (and any <paramref name="context"/>) at the deadline.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, Func<string>? context = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition().ConfigureAwait(false))
        {
            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"timed out after {timeout.TotalSeconds:0.#} s waiting for: {what}{(context is null ? string.Empty : "\n" + context())}");
            }

            await Task.Delay(Interval).ConfigureAwait(false);
        }
    }

    /// <summary>Polls a value until <paramref name="accept"/> takes it, and returns it.</summary>
    public static async Task<T> ForAsync<T>(Func<Task<T>> read, Func<T, bool> accept, TimeSpan timeout, string what, Func<string>? context = null)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(accept);
        T value = default!;
        await UntilAsync(async () => accept(value = await read().ConfigureAwait(false)), timeout, what, context).ConfigureAwait(false);
        return value;
    }

    /// <summary>Polls a value until <paramref name="accept"/> takes it or <paramref name="timeout"/> is up, and returns the last one read (for "did it happen within …", where not happening is an answer too).</summary>
    public static async Task<T> UpToAsync<T>(Func<Task<T>> read, Func<T, bool> accept, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(accept);
        var deadline = DateTime.UtcNow + timeout;
        var value = await read().ConfigureAwait(false);
        while (!accept(value) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(Interval).ConfigureAwait(false);
            value = await read().ConfigureAwait(false);
        }

        return value;
    }
}
