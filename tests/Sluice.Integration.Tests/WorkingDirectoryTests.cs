using System.Net;
using System.Net.Sockets;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>The node's working directory is only where it was started from: it is neither read for settings nor watched.</summary>
public sealed class WorkingDirectoryTests
{
    [Fact]
    public async Task Serve_SpoolUnderWorkingDirectoryWithStrayAppsettings_NotWatchedNorRead()
    {
        // As ./build.sh serve runs it: the spool in ./data under the working directory. A stray
        // appsettings.json there names an extra Kestrel endpoint that must not be opened.
        using var dir = new TempDirectory();
        var stray = FreePort.Next();
        await File.WriteAllTextAsync(Path.Combine(dir.Path, "appsettings.json"), $$"""{ "Kestrel": { "Endpoints": { "Stray": { "Url": "http://127.0.0.1:{{stray}}" } } } }""");
        await using var node = await SluiceProcess.StartAsync(Path.Combine(dir.Path, "data"), workingDirectory: dir.Path);

        var (code, transcript) = await Swaks.RunAsync("--server", $"127.0.0.1:{node.SmtpPort}", "--from", "s@example.com", "--to", "r@cwd.example");
        Assert.True(code == 0, transcript);

        // An inotify watch over the working directory would wake a thread at every spool write.
        Assert.Empty(InotifyDescriptors(node.Pid));
        using var client = new TcpClient();
        var refused = await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(IPAddress.Loopback, stray));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    private static List<string> InotifyDescriptors(int pid)
    {
        var found = new List<string>();
        foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.Contains("inotify", StringComparison.Ordinal))
                {
                    found.Add($"{fd} -> {target}");
                }
            }
            catch (IOException)
            {
                // Closed between listing and reading: not a watch that is still there.
            }
        }

        return found;
    }
}
