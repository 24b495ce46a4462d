using System.Net.Sockets;
using Sluice.Core.Queue;
using Sluice.Smtp;

namespace Sluice.Server.Sessions;

/// <summary>
/// A session's 250 for the message being stored, sent by the spool's writer thread the moment the
/// message is durable (<see cref="IDurableNotice"/>): the client's wait ends with the fsync, not
/// when a pool thread gets round to the session's continuation. One per session, armed per message.
/// The session arms it only when nothing else of its output is unsent, so the reply cannot overtake
/// an earlier one; whatever the socket could not take at once the session sends itself afterwards.
/// </summary>
internal sealed class DurableReply(Socket socket) : IDurableNotice
{
    private SmtpReply? _reply;
    private int _sent;

    /// <summary>How many of the reply's bytes went out from the writer thread (read after the store's task completed).</summary>
    public int Sent => Volatile.Read(ref _sent);

    /// <summary>The part the socket did not take; empty when all went.</summary>
    public ReadOnlySpan<byte> Unsent => _reply is null ? [] : _reply.Wire[Sent..];

    public void Arm(SmtpReply reply)
    {
        _reply = reply;
        Volatile.Write(ref _sent, 0);
    }

    public void Durable() => Volatile.Write(ref _sent, _reply is null ? 0 : NonBlockingSend.Send(socket, _reply.Wire));
}
