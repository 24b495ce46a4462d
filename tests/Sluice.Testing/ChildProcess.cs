using System.Diagnostics;
using System.Text;

namespace Sluice.Testing;

/// <summary>
/// A real server started by a test fixture: its output kept for the test's messages, stopped by
/// its PID (SIGTERM or the signal it asks for, then SIGKILL after a grace) when disposed. New fixtures build on this one.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private readonly int _stopSignal;

    private ChildProcess(Process process, int stopSignal)
    {
        _process = process;
        _stopSignal = stopSignal;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts <paramref name="program"/> (from the PATH) with <paramref name="arguments"/>; a missing
    /// program is named with the command that installs it. Disposing sends <paramref name="stopSignal"/>.
    /// </summary>
    public static ChildProcess Start(string program, IEnumerable<string> arguments, string? workingDirectory = null, int stopSignal = Posix.SigTerm)
    {
        var info = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = workingDirectory ?? string.Empty };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        try
        {
            return new ChildProcess(Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start"), stopSignal);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"{program} is not installed: run ./build.sh test", ex);
        }
    }

    /// <summary>Runs a command to its end (a tool, not a server): exit code, standard output and standard error.</summary>
    public static (int ExitCode, string Output, string Error) RunToEnd(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start");
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.GetAwaiter().GetResult());
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Posix.Signal(_process.Id, _stopSignal);
            if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                _process.Kill(entireProcessTree: false);
                _process.WaitForExit();
            }
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
