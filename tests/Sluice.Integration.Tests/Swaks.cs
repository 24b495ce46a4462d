using System.Diagnostics;

namespace Sluice.Integration.Tests;

/// <summary>Runs Debian's swaks, the SMTP swiss-army knife, as a real third-party client.</summary>
internal static class Swaks
{
    public static async Task<(int ExitCode, string Transcript)> RunAsync(params string[] args)
    {
        var info = new ProcessStartInfo("swaks") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("swaks is not installed: run ./build.sh test");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
