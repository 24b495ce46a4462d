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
}
