using System.Runtime.InteropServices;

namespace Sluice.Balance.Native;

/// <summary>
/// The Linux calls the proxy loop makes itself (epoll(7), non-blocking sockets), so that both
/// sockets of a connection live on one thread and a read is tried only when epoll said there is
/// something to read. Constants are Linux's generic ABI (x86-64 and arm64 alike).
/// </summary>
internal static unsafe partial class LinuxSockets
{
    public const int EpollCloexec = 0x80000;
    public const int EpollCtlAdd = 1;
    public const int EpollCtlDel = 2;
    public const uint EpollIn = 0x1;
    public const uint EpollOut = 0x4;
    public const uint EpollErr = 0x8;
    public const uint EpollHup = 0x10;
    public const uint EpollRdHup = 0x2000;
    public const uint EpollExclusive = 1u << 28;
    public const uint EpollEt = 1u << 31;

    public const int EfdNonblock = 0x800;
    public const int EfdCloexec = 0x80000;
    public const int SockStream = 1;
    public const int SockNonblock = 0x800;
    public const int SockCloexec = 0x80000;
    public const int MsgNosignal = 0x4000;
    public const int ShutWr = 1;
    public const int ShutRdWr = 2;
    public const int IpProtoTcp = 6;
    public const int TcpNoDelay = 1;
    public const int AfInet = 2;
    public const int AfInet6 = 10;

    public const int EIntr = 4;
    public const int EAgain = 11;
    public const int EInProgress = 115;

    /// <summary>
    /// struct epoll_event is packed on x86-64 (12 bytes: events, then the 8-byte data at offset 4)
    /// and naturally aligned elsewhere (16 bytes, data at offset 8).
    /// </summary>
    public static readonly int EpollEventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    public static readonly int EpollDataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    public static int Errno => Marshal.GetLastPInvokeError();

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int EpollCreate(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int EpollCtl(int epfd, int op, int fd, byte* ev);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    public static partial int EpollWait(int epfd, byte* events, int maxEvents, int timeout);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initial, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "connect", SetLastError = true)]
    public static partial int Connect(int fd, byte* address, int length);

    [LibraryImport("libc", EntryPoint = "accept4", SetLastError = true)]
    public static partial int Accept(int fd, byte* address, int* length, int flags);

    [LibraryImport("libc", EntryPoint = "getsockname", SetLastError = true)]
    public static partial int GetSockName(int fd, byte* address, int* length);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    public static partial nint Recv(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    public static partial nint Send(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "shutdown", SetLastError = true)]
    public static partial int Shutdown(int fd, int how);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static partial int SetSockOpt(int fd, int level, int name, int* value, int length);

    public static int EpollAdd(int epfd, int fd, uint events, ulong data)
    {
        var ev = stackalloc byte[16];
        *(uint*)ev = events;
        *(ulong*)(ev + EpollDataOffset) = data;
        return EpollCtl(epfd, EpollCtlAdd, fd, ev);
    }

    public static int EpollRemove(int epfd, int fd)
    {
        // Linux before 2.6.9 wanted a non-null event for DEL; harmless now.
        var ev = stackalloc byte[16];
        return EpollCtl(epfd, EpollCtlDel, fd, ev);
    }

    public static void SetNoDelay(int fd)
    {
        var one = 1;
        _ = SetSockOpt(fd, IpProtoTcp, TcpNoDelay, &one, sizeof(int));
    }
}
