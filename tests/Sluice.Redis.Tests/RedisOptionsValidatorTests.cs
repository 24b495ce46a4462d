namespace Sluice.Redis.Tests;

public sealed class RedisOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_NoErrors() => Assert.Empty(RedisOptionsValidator.Validate(new RedisOptions()));

    [Theory]
    [InlineData("password=x", "Cluster:Redis:Configuration: no host:port given")]
    [InlineData("127.0.0.1:6379,abortConnect=maybe", "Cluster:Redis:Configuration: not a Redis configuration string")]
    public void Validate_BadConfiguration_NamesTheKey(string configuration, string expected)
    {
        var error = Assert.Single(RedisOptionsValidator.Validate(new RedisOptions { Configuration = configuration }));
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ShortLeaseAndBadTimes_NameEachKey()
    {
        var errors = RedisOptionsValidator.Validate(new RedisOptions
        {
            Configuration = "127.0.0.1:6379",
            LeaseTtl = TimeSpan.FromSeconds(1),
            LeaseRetry = TimeSpan.Zero,
            CommandTimeout = TimeSpan.Zero,
            KeyPrefix = "",
        });

        Assert.Equal(4, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("Cluster:Redis:LeaseTtl:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Cluster:Redis:LeaseRetry:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Cluster:Redis:CommandTimeout:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Cluster:Redis:KeyPrefix:", StringComparison.Ordinal));
    }
}
