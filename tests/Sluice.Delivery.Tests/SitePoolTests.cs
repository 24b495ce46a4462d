using Sluice.Delivery.Connections;

namespace Sluice.Delivery.Tests;

public sealed class SitePoolTests
{
    [Fact]
    public async Task Acquire_UpToLimit_GrantsSlotsThenWaits()
    {
        var pool = new SitePool(2);

        Assert.Null(await pool.AcquireAsync(CancellationToken.None));
        Assert.Null(await pool.AcquireAsync(CancellationToken.None));
        var third = pool.AcquireAsync(CancellationToken.None);

        Assert.False(third.IsCompleted);
        Assert.Equal(2, pool.Open);
        pool.Release();
        Assert.Null(await third.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(2, pool.Open);
    }

    [Fact]
    public async Task Release_WithoutWaiters_FreesTheSlot()
    {
        var pool = new SitePool(1);
        await pool.AcquireAsync(CancellationToken.None);

        pool.Release();

        Assert.Equal(0, pool.Open);
    }

    [Fact]
    public async Task Acquire_Cancelled_DoesNotTakeASlotLater()
    {
        var pool = new SitePool(1);
        await pool.AcquireAsync(CancellationToken.None);
        using var cts = new CancellationTokenSource();
        var waiting = pool.AcquireAsync(cts.Token);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        pool.Release();

        Assert.Equal(0, pool.Open);
    }

    [Fact]
    public async Task SlowStart_GrowsWithSuccessUpToMaxAndHalvesOnFailure()
    {
        var pool = new SitePool(maxConnections: 8, initialConnections: 2);
        Assert.Equal(2, pool.Limit);
        await pool.AcquireAsync(CancellationToken.None);
        await pool.AcquireAsync(CancellationToken.None);
        var third = pool.AcquireAsync(CancellationToken.None);
        Assert.False(third.IsCompleted);

        pool.Succeeded();

        Assert.Null(await third.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(3, pool.Limit);
        for (var i = 0; i < 20; i++)
        {
            pool.Succeeded();
        }

        Assert.Equal(8, pool.Limit);
        Assert.Equal(1, pool.Failed());
        Assert.Equal(4, pool.Limit);
        pool.Throttled();
        Assert.Equal(2, pool.Limit);
        Assert.Equal(2, pool.Failed());
        Assert.Equal(1, pool.Limit);
        pool.Succeeded();
        Assert.Equal(1, pool.Failed());
    }

    [Fact]
    public async Task Release_AboveNarrowedWindow_ClosesTheSlotInsteadOfHandingItOn()
    {
        var pool = new SitePool(maxConnections: 4, initialConnections: 4);
        for (var i = 0; i < 4; i++)
        {
            await pool.AcquireAsync(CancellationToken.None);
        }

        var waiting = pool.AcquireAsync(CancellationToken.None);
        pool.Failed();
        pool.Failed();

        pool.Release();

        Assert.False(waiting.IsCompleted);
        Assert.Equal(3, pool.Open);
    }

    [Fact]
    public async Task Reconfigure_LowerMax_MarksExtraConnectionsForClosing()
    {
        var pool = new SitePool(4, initialConnections: 4);
        for (var i = 0; i < 4; i++)
        {
            Assert.Null(await pool.AcquireAsync(CancellationToken.None));
        }

        pool.Reconfigure(pool.Shaping with { MaxConnections = 2 });

        Assert.True(pool.OverLimit);
        pool.Release();
        pool.Release();
        Assert.False(pool.OverLimit);
        Assert.Equal(2, pool.Limit);
    }

    [Fact]
    public async Task Reconfigure_HigherMax_KeepsTheLearnedWindowAndLetsItGrow()
    {
        var pool = new SitePool(2, initialConnections: 2);
        Assert.Null(await pool.AcquireAsync(CancellationToken.None));
        Assert.Null(await pool.AcquireAsync(CancellationToken.None));
        var waiting = pool.AcquireAsync(CancellationToken.None);

        pool.Reconfigure(pool.Shaping with { MaxConnections = 5 });
        Assert.False(waiting.IsCompleted);
        pool.Succeeded();

        Assert.Null(await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(3, pool.Open);
    }

    [Fact]
    public void Reconfigure_SameRate_KeepsTheLimiterAndANewRateReplacesIt()
    {
        var pool = new SitePool(Shaping.SiteShaping.Defaults with { MaxMessageRate = 10 }, TimeProvider.System);
        var limiter = pool.MessageRate;

        pool.Reconfigure(pool.Shaping with { MaxConnections = 3 });
        Assert.Same(limiter, pool.MessageRate);

        pool.Reconfigure(pool.Shaping with { MaxMessageRate = 0 });
        Assert.Null(pool.MessageRate);
    }
}
