using System.CommandLine;
using System.Text;
using Sluice.Server.Auth;

namespace Sluice.Commands;

/// <summary><c>sluice passwd</c>: read a password (stdin or a no-echo prompt) and print its hash for Smtp:Auth:Users.</summary>
internal static class PasswdCommand
{
    public static Command Create()
    {
        var command = new Command("passwd", "Print a PBKDF2 hash of a password for Smtp:Auth:Users:N:PasswordHash.");
        command.SetAction(async (_, ct) =>
        {
            var password = Console.IsInputRedirected ? (await Console.In.ReadLineAsync(ct))?.TrimEnd('\r') : Prompt();
            if (string.IsNullOrEmpty(password))
            {
                await Console.Error.WriteLineAsync("passwd: empty password refused");
                return 1;
            }

            Console.WriteLine(PasswordHasher.Hash(password));
            return 0;
        });
        return command;
    }

    private static string Prompt()
    {
        Console.Error.Write("Password: ");
        var builder = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                Console.Error.WriteLine();
                return builder.ToString();
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (builder.Length > 0)
                {
                    builder.Length--;
                }

                continue;
            }

            builder.Append(key.KeyChar);
        }
    }
}
