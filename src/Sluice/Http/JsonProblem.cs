using System.Reflection;
using System.Text.Json;

namespace Sluice.Http;

/// <summary>
/// Turns System.Text.Json's failure into a problem an API client can act on: which field, what it
/// should have been, and for a field the request does not have, the closest one it does — in the
/// API's terms (camelCase names, "a list of strings"), not .NET type names.
/// </summary>
internal static class JsonProblem
{
    /// <summary>The field and what is wrong with it, e.g. <c>("to", "expected a list of strings")</c>.</summary>
    public static (string Field, string Reason) Describe(JsonException exception, Type requestType)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var path = (exception.Path ?? "$").TrimStart('$').TrimStart('.');
        var message = exception.Message;
        const string unmapped = "could not be mapped to any .NET member";
        if (message.Contains(unmapped, StringComparison.Ordinal) && Quoted(message) is { } unknown)
        {
            var owner = path.Length == 0 ? requestType : TypeAt(requestType, path) ?? requestType;
            var field = path.Length == 0 || path.EndsWith(unknown, StringComparison.Ordinal) ? path : path + "." + unknown;
            if (field.Length == 0)
            {
                field = unknown;
            }

            return (field, "unknown field" + Suggestion(unknown, owner));
        }

        if (message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal) && path.Length > 0 && TypeAt(requestType, path) is { } expected)
        {
            return (path, "expected " + Expected(expected));
        }

        // Syntax: where, in an editor's terms (System.Text.Json counts from 0).
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        }

        var where = exception.LineNumber is { } line
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $" (line {line + 1}, column {(exception.BytePositionInLine ?? 0) + 1})")
            : string.Empty;
        return ("body", "not valid JSON: " + (cut < 0 ? message : message[..cut]).TrimEnd() + where);
    }

    private static string? Quoted(string message)
    {
        var start = message.IndexOf('\'', StringComparison.Ordinal);
        var end = start < 0 ? -1 : message.IndexOf('\'', start + 1);
        return end > start ? message[(start + 1)..end] : null;
    }

    /// <summary>The type found at a JSON path like <c>attachments[0].content</c>, walking the request type's properties.</summary>
    private static Type? TypeAt(Type root, string path)
    {
        var type = root;
        foreach (var raw in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var bracket = raw.IndexOf('[', StringComparison.Ordinal);
            var name = bracket < 0 ? raw : raw[..bracket];
            if (name.Length > 0)
            {
                var property = Properties(type).FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
                if (property is null)
                {
                    return null;
                }

                type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            }

            if (bracket >= 0)
            {
                type = Configuration.ConfigurationSchema.ElementType(type) ?? type;
            }
        }

        return type;
    }

    private static string Expected(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return "a string";
        }

        if (type == typeof(bool))
        {
            return "true or false";
        }

        if (type.IsPrimitive || type == typeof(decimal))
        {
            return "a number";
        }

        if (type == typeof(DateTimeOffset) || type == typeof(DateTime))
        {
            return "a date and time (ISO 8601)";
        }

        if (type == typeof(JsonElement))
        {
            return "an object";
        }

        if (type.IsEnum)
        {
            return "one of " + string.Join(", ", Enum.GetNames(type).Select(JsonNamingPolicy.CamelCase.ConvertName));
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            return "an object of " + Plural(type.GetGenericArguments()[1]);
        }

        return Configuration.ConfigurationSchema.ElementType(type) is { } element ? "a list of " + Plural(element) : "an object";
    }

    private static string Plural(Type type)
    {
        var one = Expected(type);
        return one switch
        {
            "a string" => "strings",
            "a number" => "numbers",
            "an object" => "objects",
            _ => one,
        };
    }

    private static PropertyInfo[] Properties(Type type) => type.GetProperties(BindingFlags.Public | BindingFlags.Instance);

    private static string Suggestion(string unknown, Type owner)
        => DidYouMean.Suggest(unknown, Properties(owner).Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name)));
}
