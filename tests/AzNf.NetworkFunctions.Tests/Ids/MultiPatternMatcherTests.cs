using AzNf.NetworkFunctions.Ids;

namespace AzNf.NetworkFunctions.Tests.Ids;

/// <summary>
/// The prefilter against a brute-force search: a rule is a candidate exactly when its pattern,
/// A–Z folded to lower case, occurs in the data folded the same way. A missed candidate would be
/// a missed alert; an extra one would mean the filter's verification is wrong.
/// </summary>
public sealed class MultiPatternMatcherTests
{
    public enum Alphabet { Letters, Binary, Mixed, FewLetters }

    [Theory]
    [InlineData(Alphabet.Letters)]
    [InlineData(Alphabet.Binary)]
    [InlineData(Alphabet.Mixed)]
    [InlineData(Alphabet.FewLetters)]
    public void Scan_RandomPatternSetsAndData_SameCandidatesAsBruteForce(Alphabet alphabet)
    {
        var random = new Random(1000 + (int)alphabet);

        for (int set = 0; set < 150; set++)
        {
            var patterns = RandomPatterns(random, alphabet);
            var matcher = new MultiPatternMatcher(patterns);
            var into = new CandidateRuleSet(patterns.Count);
            for (int sample = 0; sample < 12; sample++)
            {
                byte[] data = RandomData(random, alphabet, patterns);

                into.Clear();
                matcher.Scan(data, into);

                AssertSameAsBruteForce(patterns, data, into);
            }
        }
    }

    [Fact]
    public void Scan_PatternsAtStartEndAndOverlapping_AllFound()
    {
        (byte[], int)[] patterns =
        [
            ("abcdefgh"u8.ToArray(), 0), ("ghijklmn"u8.ToArray(), 1), ("EFGHIJ"u8.ToArray(), 2),
            ("xyz"u8.ToArray(), 3), ("wxyz"u8.ToArray(), 4), ("zz"u8.ToArray(), 5), ("a"u8.ToArray(), 6),
            ("abcdefgh"u8.ToArray(), 7), ("nomatchhere"u8.ToArray(), 8),
        ];
        var matcher = new MultiPatternMatcher(patterns);
        var into = new CandidateRuleSet(patterns.Length);

        matcher.Scan("AbCdEfGhIjKlMn--wXyZ"u8, into);

        Assert.Equal([0, 1, 2, 3, 4, 6, 7], into.Rules.ToArray().Order());
    }

    [Fact]
    public void Scan_DataShorterThanWindow_FindsOnlyShortPatterns()
    {
        (byte[], int)[] patterns = [("abcd"u8.ToArray(), 0), ("bc"u8.ToArray(), 1), ("abcdefghi"u8.ToArray(), 2)];
        var matcher = new MultiPatternMatcher(patterns);
        var into = new CandidateRuleSet(patterns.Length);

        matcher.Scan("aBc"u8, into);

        Assert.Equal([1], into.Rules.ToArray());
    }

    [Fact]
    public void Scan_SteadyState_AllocatesNothing()
    {
        var random = new Random(7);
        var patterns = Enumerable.Range(0, 300).Select(i => (RandomBytes(random, random.Next(1, 21), Alphabet.Mixed), i)).ToList();
        var matcher = new MultiPatternMatcher(patterns);
        var into = new CandidateRuleSet(patterns.Count);
        byte[] data = RandomBytes(random, 4000, Alphabet.Mixed);
        matcher.Scan(data, into);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            into.Clear();
            matcher.Scan(data, into);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    private static List<(byte[] Pattern, int Rule)> RandomPatterns(Random random, Alphabet alphabet)
    {
        int count = random.Next(4) switch { 0 => random.Next(1, 4), 1 => random.Next(4, 30), 2 => random.Next(30, 200), _ => random.Next(200, 1200) };
        // Some sets keep to one length band so each filter (short, 4–7, 8+) is also tested alone.
        (int Min, int Max) lengths = random.Next(5) switch { 0 => (1, 3), 1 => (4, 7), 2 => (8, 20), _ => (1, 20) };
        var patterns = new List<(byte[], int)>();
        for (int rule = 0; rule < count; rule++)
        {
            // A rule now and then shares the previous rule's pattern, as rules with one fast pattern do.
            byte[] pattern = rule > 0 && random.Next(20) == 0
                ? patterns[^1].Item1
                : RandomBytes(random, random.Next(lengths.Min, lengths.Max + 1), alphabet);
            patterns.Add((pattern, rule));
        }
        return patterns;
    }

    private static byte[] RandomData(Random random, Alphabet alphabet, List<(byte[] Pattern, int Rule)> patterns)
    {
        int length = random.Next(3) switch { 0 => random.Next(0, 8), 1 => random.Next(8, 64), _ => random.Next(64, 1600) };
        byte[] data = RandomBytes(random, length, alphabet);
        // Plant patterns, in random case, at the start, the end, anywhere, and overlapping each other.
        int plants = random.Next(0, 6);
        for (int i = 0; i < plants && data.Length > 0; i++)
        {
            byte[] pattern = patterns[random.Next(patterns.Count)].Pattern;
            if (pattern.Length > data.Length)
            {
                continue;
            }
            int at = random.Next(4) switch
            {
                0 => 0,
                1 => data.Length - pattern.Length,
                _ => random.Next(0, data.Length - pattern.Length + 1),
            };
            for (int j = 0; j < pattern.Length; j++)
            {
                data[at + j] = RandomCase(random, pattern[j]);
            }
        }
        return data;
    }

    private static byte[] RandomBytes(Random random, int length, Alphabet alphabet)
    {
        var bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = alphabet switch
            {
                Alphabet.Letters => RandomCase(random, (byte)random.Next('a', 'z' + 1)),
                Alphabet.Binary => (byte)random.Next(256),
                Alphabet.FewLetters => RandomCase(random, (byte)random.Next('a', 'd')),
                _ => random.Next(3) == 0 ? (byte)random.Next(256) : RandomCase(random, (byte)random.Next('a', 'z' + 1)),
            };
        }
        return bytes;
    }

    private static byte RandomCase(Random random, byte b) =>
        b is >= (byte)'a' and <= (byte)'z' && random.Next(2) == 0 ? (byte)(b - 0x20) : b;

    private static void AssertSameAsBruteForce(List<(byte[] Pattern, int Rule)> patterns, byte[] data, CandidateRuleSet found)
    {
        byte[] foldedData = Fold(data);
        var expected = patterns.Where(p => foldedData.AsSpan().IndexOf(Fold(p.Pattern)) >= 0).Select(p => p.Rule).Order().ToArray();
        var actual = found.Rules.ToArray().Order().ToArray();
        Assert.True(expected.SequenceEqual(actual),
            $"data {Convert.ToHexString(data)}: missed [{string.Join(',', expected.Except(actual))}], extra [{string.Join(',', actual.Except(expected))}]");
    }

    // Independent of the code under test: A–Z to a–z by the ASCII table, everything else as is.
    private static byte[] Fold(byte[] bytes) => [.. bytes.Select(b => b is >= 0x41 and <= 0x5A ? (byte)(b + 0x20) : b)];
}
