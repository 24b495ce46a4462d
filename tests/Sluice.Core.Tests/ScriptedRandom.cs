namespace Sluice.Core.Tests;

/// <summary>A random source that returns the given numbers in order (modulo the bound), so policy picks are exact.</summary>
internal sealed class ScriptedRandom(params int[] values) : Random
{
    private int _next;

    public override int Next(int maxValue) => values[_next++ % values.Length] % maxValue;
}
