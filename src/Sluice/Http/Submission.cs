using Sluice.Core.Intake;
using Sluice.Core.Messages;
using Sluice.Core.Templates;

namespace Sluice.Http;

/// <summary>What submitting through the API needs, in one place: the intake stage, ids, templates, settings, time.</summary>
internal sealed record Submission(
    IntakeStage Intake,
    MessageIdGenerator Ids,
    TemplateCache Templates,
    TemplateEngine Engine,
    Configuration.SluiceOptions Options,
    TimeProvider Time,
    Unsubscribe.UnsubscribeLinks Unsubscribe)
{
    public string Hostname => Intake.Hostname;

    /// <summary>Where spooled request bodies spill to disk: where the intake stage spills message buffers.</summary>
    public string SpillDirectory => Intake.SpillDirectory;
}
