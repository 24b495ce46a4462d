using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Sluice.Server.Sessions;

/// <summary>
/// send(2) with MSG_DONTWAIT, for a thread that must never wait on a client: what the socket's
/// buffer cannot take now is left to the caller. .NET's synchronous Send blocks when the buffer is
/// full (the socket is blocking as the runtime's user sees it), so it is not used here.
/// </summary>
internal static partial class NonBlockingSend
{
    // Linux's MSG_DONTWAIT, and MSG_NOSIGNAL (a peer gone must not raise SIGPIPE).
    private const int DontWait = 0x40;
    private const int NoSignal = 0x4000;

    /// <summary>Whether this platform has it; elsewhere <see cref="Send"/> always sends nothing.</summary>
    public static bool Available => OperatingSystem.IsLinux();

    /// <summary>How many of <paramref name="bytes"/> the kernel took: 0 when it would block, the socket is closed or failed.</summary>
    public static int Send(Socket socket, ReadOnlySpan<byte> bytes)
    {
        if (!Available)
        {
            return 0;
        }

        try
        {
            var sent = Native(socket.SafeHandle, bytes, bytes.Length, DontWait | NoSignal);
            return sent > 0 ? (int)sent : 0;
        }
        catch (ObjectDisposedException)
        {
            // Closed meanwhile (the node force-closing sessions at shutdown): the session finds out on its own.
            return 0;
        }
    }

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    private static partial nint Native(SafeSocketHandle socket, ReadOnlySpan<byte> buffer, nint length, int flags);
}
