using AzNf.TestOracles;

namespace AzNf.Fuzz.Tests;

/// <summary>
/// Every input the fuzzers kept (tests/TestData/fuzz/TARGET: the seed corpus, what the fuzzer
/// added, and every crash it found once fixed) replayed through its target: a regression that
/// brings a crash back fails here, without AFL.
/// </summary>
public sealed class FuzzCorpusTests
{
    public static TheoryData<string> Targets() => [.. FuzzTargets.Names];

    [Theory]
    [MemberData(nameof(Targets))]
    public void Corpus_EveryInputThroughItsTarget_NoUndocumentedException(string target)
    {
        string folder = Path.Combine(OracleProcess.RepositoryRoot(), "tests", "TestData", "fuzz", target);
        string[] inputs = Directory.GetFiles(folder, "*", SearchOption.AllDirectories);

        Assert.NotEmpty(inputs);
        foreach (string input in inputs)
        {
            var error = Record.Exception(() => FuzzTargets.Run(target, File.ReadAllBytes(input)));
            Assert.True(error is null, $"{Path.GetRelativePath(folder, input)}: {error}");
        }
    }

    [Fact]
    public void Run_UnknownTarget_RefusedNamingTheTargets()
    {
        var error = Assert.Throws<ArgumentException>(() => FuzzTargets.Run("nope", []));

        Assert.Contains("capture, packet, event", error.Message, StringComparison.Ordinal);
    }
}
