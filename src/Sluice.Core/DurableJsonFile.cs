using System.Text.Json;

namespace Sluice.Core;

/// <summary>
/// A small state file in JSON (suspensions, sender pauses) written so that a crash leaves the old
/// or the new content whole: to a temporary file, flushed to disk, then renamed over the old one.
/// </summary>
public static class DurableJsonFile
{
    public static void Write<T>(string path, T value)
    {
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, value);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The file's content, or null when there is no file.</summary>
    public static T? Read<T>(string path)
        where T : class
        => File.Exists(path) ? JsonSerializer.Deserialize<T>(File.ReadAllText(path)) : null;
}
