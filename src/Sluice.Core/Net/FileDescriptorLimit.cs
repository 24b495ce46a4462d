using System.Globalization;

namespace Sluice.Core.Net;

/// <summary>The process's soft limit on open files (each connection takes one), where the OS says.</summary>
public static class FileDescriptorLimit
{
    /// <summary>The soft limit from /proc/self/limits; null where unknown or unlimited.</summary>
    public static long? Current()
    {
        const string path = "/proc/self/limits";
        if (!OperatingSystem.IsLinux() || !File.Exists(path))
        {
            return null;
        }

        foreach (var line in File.ReadLines(path))
        {
            // "Max open files            20000                20000                files"
            if (!line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                continue;
            }

            var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Length > 0 && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var soft) ? soft : null;
        }

        return null;
    }
}
