using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sluice.Delivery.Classification;

/// <summary>
/// How rule lists are read — the bounce rules and the reply-driven shaping rules, built-in
/// (embedded in this assembly) and the user's files: JSON with comments and trailing commas, enums
/// by name, camelCase or PascalCase keys.
/// </summary>
internal static class RulesFile
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>A built-in list shipped in the assembly under <paramref name="resource"/>.</summary>
    public static List<T> ReadEmbedded<T>(string resource)
    {
        using var stream = typeof(RulesFile).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"{resource} is missing from the assembly");
        return JsonSerializer.Deserialize<List<T>>(stream, Json) ?? [];
    }

    /// <summary>A user's list; <see cref="FormatException"/> naming the file and the problem when it cannot be read.</summary>
    public static List<T> Read<T>(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize<List<T>>(stream, Json) ?? [];
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"{path}: {ex.Message}", ex);
        }
    }
}
