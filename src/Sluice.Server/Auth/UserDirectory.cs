using Sluice.Server.Configuration;

namespace Sluice.Server.Auth;

/// <summary>The configured AUTH users; verification is constant-time per user.</summary>
internal sealed class UserDirectory
{
    private readonly Dictionary<string, string> _hashes;

    public UserDirectory(IEnumerable<AuthUserOptions> users)
    {
        _hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var user in users)
        {
            _hashes[user.Name] = user.PasswordHash;
        }
    }

    public bool HasUsers => _hashes.Count > 0;

    public bool Verify(string user, string password)
        => _hashes.TryGetValue(user, out var hash) && PasswordHasher.Verify(password, hash);
}
