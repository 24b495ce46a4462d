using System.Globalization;

namespace Sluice.Integration.Tests;

/// <summary>The runtime knobs the node sets for itself, unless the operator's environment already does.</summary>
[Collection(nameof(RuntimeKnobsTests))]
[CollectionDefinition(nameof(RuntimeKnobsTests), DisableParallelization = true)]
public sealed class RuntimeKnobsTests
{
    [Fact]
    public void Apply_VariableUnset_TurnsInlineSocketCompletionsOn()
        => Assert.Equal("1", ApplyWith(RuntimeKnobs.InlineSocketCompletions, null));

    [Fact]
    public void Apply_OperatorSetVariable_KeepsTheOperatorsValue()
        => Assert.Equal("0", ApplyWith(RuntimeKnobs.InlineSocketCompletions, "0"));

    [Fact]
    public void Apply_EngineThreadsUnset_HalfTheCoresAtLeastOne()
        => Assert.Equal(Math.Max(1, Environment.ProcessorCount / 2).ToString(CultureInfo.InvariantCulture), ApplyWith(RuntimeKnobs.SocketEngineThreads, null));

    [Fact]
    public void Apply_OperatorSetEngineThreads_KeepsTheOperatorsValue()
        => Assert.Equal("3", ApplyWith(RuntimeKnobs.SocketEngineThreads, "3"));

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(3, 1)]
    [InlineData(16, 8)]
    public void EngineThreadsFor_Cores_HalfAtLeastOne(int cores, int expected)
        => Assert.Equal(expected, RuntimeKnobs.EngineThreadsFor(cores));

    /// <summary>Applies the knobs with <paramref name="name"/> set to <paramref name="value"/> (null: unset) and returns its value after; the variable is restored.</summary>
    private static string? ApplyWith(string name, string? value)
    {
        var saved = Environment.GetEnvironmentVariable(name);
        try
        {
            Environment.SetEnvironmentVariable(name, value);
            RuntimeKnobs.Apply();
            return Environment.GetEnvironmentVariable(name);
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, saved);
        }
    }
}
