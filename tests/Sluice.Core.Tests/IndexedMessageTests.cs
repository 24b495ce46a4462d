using Sluice.Core.Events;

namespace Sluice.Core.Tests;

public sealed class IndexedMessageTests
{
    /// <summary>A message's state: its recipients' one state, else the first pending one of deferred, held, queued, else mixed.</summary>
    [Theory]
    [InlineData("held,held", "held")]
    [InlineData("held,queued", "held")]
    [InlineData("deferred,held", "deferred")]
    [InlineData("delivered,held", "held")]
    [InlineData("delivered,queued", "queued")]
    [InlineData("delivered,bounced", "mixed")]
    public void Summarize_RecipientStates_OneStateForTheMessage(string states, string expected)
    {
        var recipients = states.Split(',').Select((s, i) => new IndexedRecipient($"r{i}@x.example", s, null, DateTimeOffset.UnixEpoch)).ToList();

        Assert.Equal(expected, IndexedMessage.Summarize(recipients));
    }
}
