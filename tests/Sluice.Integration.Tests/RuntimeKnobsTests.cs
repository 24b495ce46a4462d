namespace Sluice.Integration.Tests;

/// <summary>The runtime knobs the node sets for itself, unless the operator's environment already does.</summary>
[Collection(nameof(RuntimeKnobsTests))]
[CollectionDefinition(nameof(RuntimeKnobsTests), DisableParallelization = true)]
public sealed class RuntimeKnobsTests
{
    [Fact]
    public void Apply_VariableUnset_TurnsInlineSocketCompletionsOn()
    {
        var saved = Environment.GetEnvironmentVariable(RuntimeKnobs.InlineSocketCompletions);
        try
        {
            Environment.SetEnvironmentVariable(RuntimeKnobs.InlineSocketCompletions, null);
            RuntimeKnobs.Apply();
            Assert.Equal("1", Environment.GetEnvironmentVariable(RuntimeKnobs.InlineSocketCompletions));
        }
        finally
        {
            Environment.SetEnvironmentVariable(RuntimeKnobs.InlineSocketCompletions, saved);
        }
    }

    [Fact]
    public void Apply_OperatorSetVariable_KeepsTheOperatorsValue()
    {
        var saved = Environment.GetEnvironmentVariable(RuntimeKnobs.InlineSocketCompletions);
        try
        {
            Environment.SetEnvironmentVariable(RuntimeKnobs.InlineSocketCompletions, "0");
            RuntimeKnobs.Apply();
            Assert.Equal("0", Environment.GetEnvironmentVariable(RuntimeKnobs.InlineSocketCompletions));
        }
        finally
        {
            Environment.SetEnvironmentVariable(RuntimeKnobs.InlineSocketCompletions, saved);
        }
    }
}
