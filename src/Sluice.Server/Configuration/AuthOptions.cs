namespace Sluice.Server.Configuration;

public sealed class AuthOptions
{
    public List<AuthUserOptions> Users { get; set; } = [];

    /// <summary>Failed AUTH attempts from one client IP within <see cref="FailureWindow"/> before AUTH is refused for it.</summary>
    public int MaxFailures { get; set; } = 5;

    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(5);
}
