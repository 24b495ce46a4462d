using System.Diagnostics;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>The bash completion that <c>./build.sh install</c> ships, run by a real bash against the built executable.</summary>
public sealed class BashCompletionTests
{
    [Theory]
    [InlineData("sluice queue ", "summary")]
    [InlineData("sluice queue ", "suspend")]
    [InlineData("sluice serve --no", "--no-delivery")]
    [InlineData("sluice te", "templates")]
    public async Task Complete_PartialCommandLine_OffersWhatSluiceAccepts(string line, string expected)
    {
        using var dir = new TempDirectory();
        var wrapper = Path.Combine(dir.Path, "sluice");
        await File.WriteAllTextAsync(wrapper, $"#!/bin/sh\nexec dotnet '{RepositoryPaths.SluiceDll}' \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var script = Path.Combine(RepositoryPaths.Root, "packaging", "sluice.bash-completion");
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("""
            source "$1"
            COMP_LINE="$2"; COMP_POINT=${#COMP_LINE}
            read -ra COMP_WORDS <<<"$COMP_LINE"
            [ "${COMP_LINE: -1}" = " " ] && COMP_WORDS+=("")
            COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
            _sluice_complete
            printf '%s\n' "${COMPREPLY[@]}"
            """);
        info.ArgumentList.Add("bash");
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(line);
        info.Environment["PATH"] = dir.Path + ":" + Environment.GetEnvironmentVariable("PATH");

        using var bash = Process.Start(info)!;
        var output = await bash.StandardOutput.ReadToEndAsync();
        await bash.WaitForExitAsync();

        Assert.Contains(expected, output.Split('\n'));
        Assert.DoesNotContain(output.Split('\n'), o => o.Length > 0 && !o.StartsWith(line.Split(' ')[^1], StringComparison.Ordinal));
    }
}
