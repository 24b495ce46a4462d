namespace Sluice.Server.Configuration;

public sealed class AuthOptions
{
    public List<AuthUserOptions> Users { get; set; } = [];

    /// <summary>Failed AUTH attempts from one client IP within <see cref="FailureWindow"/> before it gets 421 and is disconnected (a success does not reset the count).</summary>
    public int MaxFailures { get; set; } = 5;

    /// <summary>Failed AUTH attempts for one user name within <see cref="FailureWindow"/>, from anywhere, before AUTH for that name is refused (guessing one account from many addresses).</summary>
    public int MaxFailuresPerUser { get; set; } = 20;

    /// <summary>Password checks (PBKDF2) waiting for the verifier thread before AUTH answers 454 "try later".</summary>
    public int MaxPendingVerifications { get; set; } = 64;

    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(5);
}
