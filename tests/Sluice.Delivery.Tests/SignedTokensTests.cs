using System.Text;
using Sluice.Delivery.Feedback;

namespace Sluice.Delivery.Tests;

public sealed class SignedTokensTests
{
    private static readonly SignedTokens Tokens = new(Encoding.UTF8.GetBytes("a test secret of some length"));

    [Fact]
    public void ReadLink_AsMade_GivesMessageRecipientAndDomain()
        => Assert.Equal(("01ABCDEFGHJKMNPQRSTVWXYZ01", "Reader+tag@Mail.example", "news.example"), Tokens.ReadLink(Tokens.ForLink("01ABCDEFGHJKMNPQRSTVWXYZ01", "Reader+tag@Mail.example", "news.example")));

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(-1)]
    public void ReadLink_OneCharacterChanged_Refused(int at)
    {
        var token = Tokens.ForLink("01ABCDEFGHJKMNPQRSTVWXYZ01", "r@mail.example", "news.example");
        var i = at < 0 ? token.Length + at : at;
        var changed = token[..i] + (token[i] == 'a' ? 'b' : 'a') + token[(i + 1)..];

        Assert.Null(Tokens.ReadLink(changed));
    }

    [Fact]
    public void ReadLink_OtherKey_Refused()
        => Assert.Null(new SignedTokens(Encoding.UTF8.GetBytes("another secret entirely")).ReadLink(Tokens.ForLink("01ABCDEFGHJKMNPQRSTVWXYZ01", "r@mail.example", "news.example")));

    [Fact]
    public void ForMailto_FitsALocalPartAndSurvivesCaseFolding()
    {
        var local = Tokens.ForMailto("01ABCDEFGHJKMNPQRSTVWXYZ01");

        Assert.True(local.Length <= 64, local);
        Assert.Equal("01ABCDEFGHJKMNPQRSTVWXYZ01", Tokens.ReadMailto(local.ToLowerInvariant()));
        Assert.Equal("01ABCDEFGHJKMNPQRSTVWXYZ01", Tokens.ReadMailto(local.ToUpperInvariant()));
        Assert.Null(Tokens.ReadMailto(local[..^1] + (local[^1] == '0' ? '1' : '0')));
        Assert.Null(Tokens.ReadMailto("postmaster"));
    }

    [Fact]
    public void ReadReturnPath_AsMade_AndNotAnUnsubscribeAddress()
    {
        var returnPath = Tokens.ForReturnPath("01ABCDEFGHJKMNPQRSTVWXYZ01");

        Assert.StartsWith("bounces+", returnPath, StringComparison.Ordinal);
        Assert.True(returnPath.Length <= 64, returnPath);
        Assert.Equal("01ABCDEFGHJKMNPQRSTVWXYZ01", Tokens.ReadReturnPath(returnPath));

        // Each kind has its own MAC: an unsubscribe address with the prefix swapped is not a return path.
        var mailto = Tokens.ForMailto("01ABCDEFGHJKMNPQRSTVWXYZ01");
        Assert.Null(Tokens.ReadReturnPath("bounces+" + mailto["unsubscribe+".Length..]));
    }
}
