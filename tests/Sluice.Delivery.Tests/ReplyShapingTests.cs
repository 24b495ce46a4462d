using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Sluice.Core.Messages;
using Sluice.Delivery.Classification;
using Sluice.Delivery.Dispatch;
using Sluice.Delivery.Dns;
using Sluice.Delivery.Queues;
using Sluice.Delivery.Reputation;
using Sluice.Delivery.Shaping;
using Sluice.Delivery.Smtp;
using Sluice.Smtp;
using Sluice.Testing;

namespace Sluice.Delivery.Tests;

/// <summary>
/// Reply-driven shaping on a fake clock against a real `sluice sink` scripted to answer every message
/// with a provider's throttling reply: each action takes hold on the ready queue, and undoes itself
/// when the rule's time is up.
/// </summary>
public sealed class ReplyShapingTests : IAsyncLifetime
{
    private const string Throttle = "451 4.7.28 Our system has detected an unusual rate of unsolicited mail (sink)";
    private static readonly QueueKey Key = new("mx.dest.test");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    private readonly List<HoldKey> _released = [];
    private readonly DeliveryCapacity _capacity = new(100, 100);
    private readonly TempDirectory _dir = new();
    private SluiceProcess _sink = null!;

    public async Task InitializeAsync()
        => _sink = await SluiceProcess.StartSinkAsync(_dir.Path, ["--data-defer", "100", "--data-defer-reply", Throttle]);

    public async Task DisposeAsync()
    {
        await _sink.DisposeAsync();
        _capacity.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task ThrottlingReply_ReduceRateRule_LowersTheRateThenRestoresItWhenTheRuleEnds()
    {
        var configured = SiteShaping.Defaults with { MaxMessageRate = 50, MessageBurst = 20 };
        var queue = new ReadyQueue(Key, Plan(configured), Context(Rule(ReplyAction.ReduceRate, rate: 0.5)));

        await SendAsync(queue, "a@dest.test");
        var reduced = queue.State();
        Assert.Equal("unusual-rate", reduced.Adjustment?.Rule);
        Assert.Equal((0.5, 1), (reduced.Shaping.MaxMessageRate, reduced.Shaping.MessageBurst));
        Assert.Contains("4.7.28", reduced.Adjustment!.Reply, StringComparison.Ordinal);
        Assert.Equal(_time.GetUtcNow().AddMinutes(10), reduced.Adjustment.Until);

        _time.Advance(TimeSpan.FromMinutes(10));
        var restored = queue.State();
        Assert.Null(restored.Adjustment);
        Assert.Equal(configured, restored.Shaping);
    }

    [Fact]
    public async Task ThrottlingReply_ReduceConnectionsRule_LowersConnectionsWhilePlanUpdatesKeepIt()
    {
        var queue = new ReadyQueue(Key, Plan(SiteShaping.Defaults), Context(Rule(ReplyAction.ReduceConnections, connections: 1)));

        await SendAsync(queue, "a@dest.test");
        Assert.Equal(1, queue.State().Shaping.MaxConnections);

        // A reload gives the queue a new plan: the rule's lowering stays on top of it.
        queue.Update(Plan(SiteShaping.Defaults with { MaxConnections = 30 }));
        Assert.Equal(1, queue.State().Shaping.MaxConnections);
        Assert.True(queue.State().Window <= 1);

        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(30, queue.State().Shaping.MaxConnections);
    }

    [Fact]
    public async Task ThrottlingReply_SuspendSiteRule_RestsTheQueueAndReleasesWhenTheRuleEnds()
    {
        var queue = new ReadyQueue(Key, Plan(SiteShaping.Defaults), Context(Rule(ReplyAction.SuspendSite)));

        await SendAsync(queue, "a@dest.test");
        Assert.Equal(_time.GetUtcNow().AddMinutes(10), queue.State().RestingUntil);
        var late = Job("b@dest.test", "s@src.test");
        Assert.True(queue.TrySubmit(late));
        var held = await late.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal((JobResultKind.Held, HoldKey.ForQueue(Key)), (held.Kind, held.Hold));

        _time.Advance(TimeSpan.FromMinutes(10));
        await Poll.UntilAsync(() => Task.FromResult(Released().Contains(HoldKey.ForQueue(Key))), TimeSpan.FromSeconds(10), "the queue's held mail released");
        Assert.Null(queue.State().RestingUntil);
    }

    [Fact]
    public async Task ThrottlingReply_SuspendSenderRule_HoldsThatSenderOnlyUntilTheRuleEnds()
    {
        var queue = new ReadyQueue(Key, Plan(SiteShaping.Defaults), Context(Rule(ReplyAction.SuspendSender)));

        await SendAsync(queue, "a@dest.test", "news@bulk.example");
        var sender = new SenderKey(SenderScope.SenderDomain, "bulk.example");
        Assert.Equal(sender.ToString(), Assert.Single(queue.State().HeldSenders).Sender);

        var same = Job("b@dest.test", "other@bulk.example");
        Assert.True(queue.TrySubmit(same));
        var held = await same.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal((JobResultKind.Held, HoldKey.ForSenderAt(sender, Key)), (held.Kind, held.Hold));

        // Another sender's mail still goes to the site (and is answered by it).
        var other = Job("c@dest.test", "shop@retail.example");
        Assert.True(queue.TrySubmit(other));
        Assert.Equal(JobResultKind.Answered, (await other.Completion.WaitAsync(TimeSpan.FromSeconds(30))).Kind);

        // Its hold written while the rule holds: nothing is released.
        await held.AfterHold!();
        Assert.DoesNotContain(HoldKey.ForSenderAt(sender, Key), Released());

        _time.Advance(TimeSpan.FromMinutes(10));
        await Poll.UntilAsync(() => Task.FromResult(Released().Contains(HoldKey.ForSenderAt(sender, Key))), TimeSpan.FromSeconds(10), "the sender's held mail released");
        Assert.DoesNotContain(queue.State().HeldSenders, h => h.Sender == sender.ToString());

        // A hold written after the rule's release (its message settled late) is released again.
        await held.AfterHold!();
        Assert.Equal(2, Released().Count(k => k == HoldKey.ForSenderAt(sender, Key)));
    }

    [Fact]
    public async Task RefusalNoRuleMatches_ChangesNothing()
    {
        var queue = new ReadyQueue(Key, Plan(SiteShaping.Defaults), Context(Rule(ReplyAction.ReduceRate, rate: 0.5), status: "4.7.99"));

        await SendAsync(queue, "a@dest.test");
        Assert.Null(queue.State().Adjustment);
        Assert.Equal(SiteShaping.Defaults, queue.State().Shaping);
    }

    [Fact]
    public void Match_BuiltInRules_KnowTheProvidersByTheirMxHosts()
    {
        var rules = new ReplyRules(ReplyRules.BuiltIn());
        var gmail = new List<MxHost> { new("aspmx.l.google.com", 10, []), new("alt1.aspmx.l.google.com", 20, []) };
        var outlook = new List<MxHost> { new("example-com.mail.protection.outlook.com", 0, []) };
        var other = new List<MxHost> { new("mx.example.net", 10, []) };

        Assert.Equal("gmail-unusual-rate", rules.Match(gmail, Reply("421 4.7.28 Our system has detected an unusual rate of unsolicited mail"))?.Name);
        Assert.Null(rules.Match(other, Reply("421 4.7.28 Our system has detected an unusual rate of unsolicited mail")));
        Assert.Equal("microsoft-ip-reputation", rules.Match(outlook, Reply("451 4.7.650 The mail server [192.0.2.1] has been temporarily rate limited due to IP reputation"))?.Name);
        Assert.Equal("too-many-connections", rules.Match(other, Reply("421 4.7.0 Too many connections from your IP"))?.Name);
        Assert.Equal("rate-limited", rules.Match(other, Reply("450 4.2.1 Rate limit exceeded, slow down"))?.Name);
        Assert.Null(rules.Match(other, Reply("550 5.1.1 No such user")));
    }

    [Fact]
    public void Load_RuleWithoutItsLimit_RefusedNamingTheRule()
    {
        var file = Path.Combine(_dir.Path, "rules.json");
        File.WriteAllText(file, """[ { "name": "slow", "codes": [ 451 ], "action": "ReduceRate" } ]""");
        var error = Assert.Throws<FormatException>(() => ReplyRules.Load(file));
        Assert.Contains("rule 0 (slow): ReduceRate needs maxMessageRate", error.Message, StringComparison.Ordinal);
    }

    private static SmtpReply Reply(string text) => SmtpReply.TryParse(text, out var reply) ? reply! : throw new ArgumentException(text);

    private static ReplyRule Rule(ReplyAction action, double? rate = null, int? connections = null) => new()
    {
        Name = "unusual-rate",
        Codes = [451],
        Status = ["4.7.28"],
        Action = action,
        MaxMessageRate = rate,
        MaxConnections = connections,
        Duration = TimeSpan.FromMinutes(10),
    };

    private List<HoldKey> Released()
    {
        lock (_released)
        {
            return [.. _released];
        }
    }

    private static async Task SendAsync(ReadyQueue queue, string recipient, string sender = "s@src.test")
    {
        var job = Job(recipient, sender);
        Assert.True(queue.TrySubmit(job));
        var result = await job.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(JobResultKind.Answered, result.Kind);
    }

    private ReadyQueueContext Context(ReplyRule rule, string? status = null)
    {
        if (status is not null)
        {
            rule.Status = [status];
        }

        var rules = new ReplyRules([rule]);
        return new(
            _time,
            _capacity,
            new Suspensions(_time),
            new BounceClassifier([]),
            100,
            (key, _) =>
            {
                lock (_released)
                {
                    _released.Add(key);
                }

                return Task.FromResult(0L);
            },
            NullLogger.Instance,
            replyRules: () => rules);
    }

    private QueuePlan Plan(SiteShaping shaping)
        => new([new MxHost("mx.dest.test", 10, [IPAddress.Loopback])], _sink.SmtpPort, shaping, new SmtpClientOptions { HeloName = "test.sluice", Tls = TlsPolicy.Disabled });

    private static DeliveryJob Job(string recipient, string sender) => TestJobs.For(recipient, sender);
}
