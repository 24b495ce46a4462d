using System.Text;

namespace Sluice.Core.Events;

/// <summary>
/// Tags as the index keeps them: one text, each tag between two U+001F, so that a search for a
/// whole tag is a substring search for it with its separators.
/// </summary>
public static class IndexTags
{
    public const char Separator = '\u001f';

    public static string Join(IReadOnlyList<string>? tags)
    {
        if (tags is null || tags.Count == 0)
        {
            return string.Empty;
        }

        var builder = new StringBuilder().Append(Separator);
        foreach (var tag in tags)
        {
            builder.Append(tag).Append(Separator);
        }

        return builder.ToString();
    }

    public static IReadOnlyList<string> Split(string? tags)
        => string.IsNullOrEmpty(tags) ? [] : tags.Split(Separator, StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The text a search for <paramref name="tag"/> looks for.</summary>
    public static string Needle(string tag) => Separator + tag + Separator;
}
