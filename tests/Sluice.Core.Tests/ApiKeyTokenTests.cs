using Sluice.Core.State;

namespace Sluice.Core.Tests;

public sealed class ApiKeyTokenTests
{
    [Fact]
    public void Verify_WrongSecretOrShape_DoesNotVerify()
    {
        var (token, _, hash) = ApiKeyToken.Create();
        var (_, secret) = ApiKeyToken.Parse(token)!.Value;

        Assert.True(ApiKeyToken.Verify(secret, hash));
        Assert.False(ApiKeyToken.Verify(secret + "x", hash));
        Assert.Null(ApiKeyToken.Parse("Bearer " + token));
        Assert.Null(ApiKeyToken.Parse("sk_nosecret"));
        Assert.Null(ApiKeyToken.Parse("sk_id_"));
    }
}
