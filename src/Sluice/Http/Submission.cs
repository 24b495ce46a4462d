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
    TimeProvider Time)
{
    public string Hostname { get; } = Options.Smtp.Hostname ?? System.Net.Dns.GetHostName();

    /// <summary>Where spooled request bodies spill to disk (beside the SMTP sessions' spill files).</summary>
    public string SpillDirectory { get; } = Path.Combine(Options.Node.DataDirectory, "tmp");
}
