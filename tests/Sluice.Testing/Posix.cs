using System.Runtime.InteropServices;

namespace Sluice.Testing;

/// <summary>Signals for processes the tests started (SIGTERM for graceful stop; Process.Kill is SIGKILL).</summary>
public static partial class Posix
{
    public const int SigHup = 1;

    /// <summary>PostgreSQL's fast shutdown: clients disconnected, a clean stop (SIGTERM waits for every client to leave).</summary>
    public const int SigInt = 2;

    public const int SigKill = 9;

    public const int SigTerm = 15;

    public static void Signal(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
