using System.Net.Sockets;

namespace Sluice.Commands;

/// <summary>
/// Start-up failures an operator causes and can fix — a port held by another program, a data
/// folder that cannot be written or is a file, a data folder another node is using — told in one
/// line (exit code 2), not as a stack trace.
/// </summary>
internal static class StartupFailure
{
    public static bool IsOperatorProblem(Exception ex)
        => ex is IOException or UnauthorizedAccessException or SocketException or Postgres.PostgresStartException
            || (ex is AggregateException { InnerExceptions.Count: 1 } aggregate && IsOperatorProblem(aggregate.InnerExceptions[0]));

    public static string Describe(Exception ex)
    {
        if (ex is AggregateException { InnerExceptions.Count: 1 } aggregate)
        {
            ex = aggregate.InnerExceptions[0];
        }

        var text = ex switch
        {
            UnauthorizedAccessException => $"permission denied: {ex.Message}",
            _ => ex.Message,
        };

        // One line, whatever the exception's text holds.
        return "sluice: cannot start: " + text.ReplaceLineEndings(" ").Trim();
    }
}
