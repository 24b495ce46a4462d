namespace Sluice.Server.Configuration;

/// <summary>An SMTP AUTH user; the hash comes from <c>sluice passwd</c>.</summary>
public sealed class AuthUserOptions
{
    public string Name { get; set; } = string.Empty;

    public string PasswordHash { get; set; } = string.Empty;
}
