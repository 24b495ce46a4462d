using System.Diagnostics;
using System.Globalization;

namespace Sluice.Testing;

/// <summary>A small tmpfs mounted on a temp folder, for disk-full tests. Needs root (the test command runs as root, like CI).</summary>
public sealed class TmpfsMount : IDisposable
{
    private TmpfsMount(string path) => Path = path;

    public string Path { get; }

    public static TmpfsMount Create(long bytes, bool readOnly = false)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sluice-tmpfs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        Run("mount", "-t", "tmpfs", "-o", string.Create(CultureInfo.InvariantCulture, $"size={bytes}{(readOnly ? ",ro" : string.Empty)}"), "tmpfs", path);
        return new TmpfsMount(path);
    }

    public void Resize(long bytes) => Run("mount", "-o", string.Create(CultureInfo.InvariantCulture, $"remount,size={bytes}"), Path);

    public void Dispose()
    {
        Run("umount", "-l", Path);
        Directory.Delete(Path);
    }

    private static void Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {error}. Disk-full tests need root, as './build.sh test' and CI run.");
        }
    }
}
