using Sluice.Core.Messages;
using Sluice.Core.Queue;
using Sluice.Core.State;
using Sluice.Core.Templates;

namespace Sluice.Http;

/// <summary>What submitting through the API needs, in one place: intake, ids, suppressions, templates, settings, time.</summary>
internal sealed record Submission(
    IMessageIntake Intake,
    MessageIdGenerator Ids,
    SuppressionList Suppressions,
    TemplateCache Templates,
    TemplateEngine Engine,
    Configuration.SluiceOptions Options,
    TimeProvider Time,
    RecipientValidator Validator)
{
    public string Hostname { get; } = Options.Smtp.Hostname ?? System.Net.Dns.GetHostName();
}
