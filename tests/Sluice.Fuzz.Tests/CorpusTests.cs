using Sluice.Fuzz;
using Sluice.Testing;

namespace Sluice.Fuzz.Tests;

/// <summary>
/// Every committed fuzz input — the seed corpus and every finding kept as a regression in
/// <c>fuzz/regressions/TARGET/</c> — runs through its target in every test run, without AFL:
/// a crash once found stays fixed.
/// </summary>
public sealed class CorpusTests
{
    public static TheoryData<string, string> Inputs()
    {
        var data = new TheoryData<string, string>();
        foreach (var target in FuzzTargets.All.Keys)
        {
            foreach (var folder in new[] { "corpus", "regressions" })
            {
                var path = Path.Combine(RepositoryPaths.Root, "fuzz", folder, target);
                if (!Directory.Exists(path))
                {
                    continue;
                }

                foreach (var file in Directory.EnumerateFiles(path).Order(StringComparer.Ordinal))
                {
                    data.Add(target, Path.GetRelativePath(RepositoryPaths.Root, file));
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Target_CommittedInput_DoesNotThrow(string target, string file)
    {
        var input = File.ReadAllBytes(Path.Combine(RepositoryPaths.Root, file));

        var thrown = Record.Exception(() => FuzzTargets.All[target](input));

        Assert.Null(thrown);
    }

    [Fact]
    public void Targets_EachHasASeedCorpus()
    {
        foreach (var target in FuzzTargets.All.Keys)
        {
            Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "fuzz", "corpus", target)));
        }
    }

    [Fact]
    public void Data_SplitAnywhere_DecodesAsWhole()
    {
        // The target's own oracle, checked on an input where splitting matters (a split inside CRLF.CRLF).
        var thrown = Record.Exception(() => FuzzTargets.Data("\u0007x\r\n.\r\n"u8.ToArray()));

        Assert.Null(thrown);
    }
}
