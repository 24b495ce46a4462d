using Sluice.Server.Configuration;

namespace Sluice.Server.Auth;

/// <summary>
/// The configured AUTH users. A check costs the same whether or not the user exists (an unknown
/// name is checked against a dummy hash), so timing does not tell which names are real; checks run
/// on the <see cref="PasswordVerifier"/>'s threads, never on a session's.
/// </summary>
internal sealed class UserDirectory : IDisposable
{
    private static readonly Lazy<string> Dummy = new(() => PasswordHasher.Hash(Guid.NewGuid().ToString("N")));
    private readonly Dictionary<string, string> _hashes;
    private readonly PasswordVerifier _verifier;

    public UserDirectory(IEnumerable<AuthUserOptions> users, PasswordVerifier? verifier = null)
    {
        _hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var user in users)
        {
            _hashes[user.Name] = user.PasswordHash;
        }

        _verifier = verifier ?? new PasswordVerifier(threads: 1, maxWaiting: 64);
    }

    public bool HasUsers => _hashes.Count > 0;

    /// <summary>True or false, or null when the verifier is saturated (a temporary refusal).</summary>
    public Task<bool?> VerifyAsync(string user, string password)
        => _verifier.VerifyAsync(() =>
        {
            if (_hashes.TryGetValue(user, out var hash))
            {
                return PasswordHasher.Verify(password, hash);
            }

            // The same work for a name that does not exist.
            _ = PasswordHasher.Verify(password, Dummy.Value);
            return false;
        });

    public void Dispose() => _verifier.Dispose();
}
