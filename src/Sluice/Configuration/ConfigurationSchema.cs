using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Sluice.Configuration;

/// <summary>
/// Checks a configuration tree against the options types it binds to, before binding: every key
/// must be a property (a misspelt key is an error that suggests the right one, not a setting
/// silently ignored), lists must be lists and objects objects, and every value must convert —
/// all problems at once, each naming its key in the operator's terms, not .NET's.
/// </summary>
internal static class ConfigurationSchema
{
    /// <summary>Problems in <paramref name="section"/>'s children as <paramref name="type"/>; empty when it binds cleanly.</summary>
    public static List<string> Check(IConfiguration section, Type type, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(section);
        var errors = new List<string>();
        CheckObject(section, type, prefix, errors);
        return errors;
    }

    private static void CheckObject(IConfiguration section, Type type, string prefix, List<string> errors)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite || IsCollection(p.PropertyType))
            .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var child in section.GetChildren())
        {
            var key = Join(prefix, child.Key);
            if (!properties.TryGetValue(child.Key, out var property))
            {
                errors.Add($"{key}: unknown key{DidYouMean.Suggest(child.Key, properties.Values.Select(p => p.Name))}");
                continue;
            }

            CheckValue(child, property.PropertyType, key, errors);
        }
    }

    private static void CheckValue(IConfigurationSection section, Type type, string key, List<string> errors)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        var hasChildren = section.GetChildren().Any();
        if (IsScalar(target))
        {
            if (hasChildren)
            {
                errors.Add($"{key}: expected {Describe(target)}, found an object or a list");
            }
            else if (section.Value is { } value && !(value.Length == 0 && Nullable.GetUnderlyingType(type) is not null) && !Converts(value, target))
            {
                errors.Add($"{key}: '{value}' is not {Describe(target)}");
            }

            return;
        }

        if (!hasChildren)
        {
            // An empty value clears a list or object ("Listeners": [] arrives as an empty string).
            if (!string.IsNullOrEmpty(section.Value))
            {
                errors.Add($"{key}: expected {(ElementType(target) is not null ? "a list" : "an object")}, found the value '{section.Value}'");
            }

            return;
        }

        if (DictionaryValueType(target) is { } valueType)
        {
            foreach (var entry in section.GetChildren())
            {
                CheckValue(entry, valueType, Join(key, entry.Key), errors);
            }

            return;
        }

        if (ElementType(target) is { } elementType)
        {
            foreach (var element in section.GetChildren())
            {
                if (!int.TryParse(element.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    errors.Add($"{key}: expected a list ([ … ]), found an object (key '{element.Key}')");
                    return;
                }

                CheckValue(element, elementType, Join(key, element.Key), errors);
            }

            return;
        }

        if (section.GetChildren().All(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            errors.Add($"{key}: expected an object ({{ … }}), found a list");
            return;
        }

        CheckObject(section, target, key, errors);
    }

    private static bool IsScalar(Type type)
        => type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan) || type == typeof(DateTimeOffset) || type == typeof(DateOnly) || type == typeof(Uri);

    private static bool IsCollection(Type type) => ElementType(type) is not null || DictionaryValueType(type) is not null;

    /// <summary>The element type of an array or list type (what configuration and JSON bind as lists), else null.</summary>
    internal static Type? ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        return type.IsGenericType && type.GetGenericTypeDefinition() is var definition
            && (definition == typeof(List<>) || definition == typeof(IList<>) || definition == typeof(IReadOnlyList<>) || definition == typeof(IEnumerable<>) || definition == typeof(HashSet<>))
            ? type.GetGenericArguments()[0]
            : null;
    }

    private static Type? DictionaryValueType(Type type)
        => type.IsGenericType && type.GetGenericTypeDefinition() is var definition
            && (definition == typeof(Dictionary<,>) || definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>))
            && type.GetGenericArguments()[0] == typeof(string)
            ? type.GetGenericArguments()[1]
            : null;

    private static bool Converts(string value, Type type)
    {
        if (type == typeof(string))
        {
            return true;
        }

        if (type == typeof(TimeSpan))
        {
            return Duration.TryParse(value, out _);
        }

        if (type == typeof(bool))
        {
            return bool.TryParse(value, out _);
        }

        if (type.IsEnum)
        {
            return !value.All(char.IsAsciiDigit) && Enum.TryParse(type, value, ignoreCase: true, out var parsed) && Enum.IsDefined(type, parsed!);
        }

        try
        {
            return System.ComponentModel.TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value) is not null;
        }
        catch (Exception ex) when (ex is FormatException or NotSupportedException or ArgumentException or OverflowException)
        {
            return false;
        }
    }

    private static string Describe(Type type)
    {
        if (type.IsEnum)
        {
            return "one of " + string.Join(", ", Enum.GetNames(type));
        }

        return Type.GetTypeCode(type) switch
        {
            TypeCode.Boolean => "true or false",
            TypeCode.Int32 or TypeCode.Int64 or TypeCode.Int16 or TypeCode.Byte or TypeCode.UInt16 or TypeCode.UInt32 or TypeCode.UInt64 or TypeCode.SByte
                => $"a whole number ({type.GetField("MinValue")!.GetValue(null)} to {type.GetField("MaxValue")!.GetValue(null)})",
            TypeCode.Double or TypeCode.Single or TypeCode.Decimal => "a number",
            TypeCode.String => "text",
            _ when type == typeof(TimeSpan) => "a duration (500ms, 30s, 5m, 2h, 1d, or hh:mm:ss)",
            _ when type == typeof(DateOnly) => "a date (yyyy-mm-dd)",
            _ => "a valid " + type.Name,
        };
    }

    private static string Join(string prefix, string key) => prefix.Length == 0 ? key : prefix + ":" + key;
}
