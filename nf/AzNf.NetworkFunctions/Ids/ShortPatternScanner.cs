using System.Buffers;

namespace AzNf.NetworkFunctions.Ids;

/// <summary>
/// Finds, case-insensitively, which patterns of 1–3 bytes (too short for a
/// <see cref="SampledWindowFilter"/> window) occur in a buffer: a vectorized search jumps to the
/// next byte that can start one, and only there are the patterns starting with that byte
/// compared. Short fast patterns in real rule sets are mostly binary (<c>\x18\x03</c>,
/// <c>\x05\x00\x00</c>), so in text traffic such bytes are rare and most of a buffer is skipped
/// 16 or 32 bytes at a time; a byte-at-a-time automaton paid for every byte.
/// </summary>
internal sealed class ShortPatternScanner
{
    private readonly SearchValues<byte> _firstBytes;
    // Per folded first byte: the patterns (folded) that start with it, and the rules of each.
    private readonly byte[][][] _patterns = new byte[256][][];
    private readonly int[][][] _rules = new int[256][][];

    /// <param name="patterns">Patterns of 1–3 bytes, each with the rule it nominates.</param>
    public ShortPatternScanner(IReadOnlyList<(byte[] Pattern, int Rule)> patterns)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        var byFirst = new Dictionary<byte, Dictionary<string, (byte[] Folded, List<int> Rules)>>();
        foreach (var (pattern, rule) in patterns)
        {
            if (pattern.Length is < 1 or >= SampledWindowFilter.WindowLength)
            {
                throw new ArgumentException($"a short pattern is 1–{SampledWindowFilter.WindowLength - 1} bytes, not {pattern.Length}", nameof(patterns));
            }
            byte[] folded = [.. pattern.Select(MultiPatternMatcher.Fold)];
            if (!byFirst.TryGetValue(folded[0], out var group))
            {
                byFirst[folded[0]] = group = new Dictionary<string, (byte[], List<int>)>(StringComparer.Ordinal);
            }
            string key = Convert.ToHexString(folded);
            if (!group.TryGetValue(key, out var entry))
            {
                group[key] = entry = (folded, []);
            }
            entry.Rules.Add(rule);
        }
        var firstBytes = new List<byte>();
        foreach (var (first, group) in byFirst)
        {
            _patterns[first] = [.. group.Values.Select(g => g.Folded)];
            _rules[first] = [.. group.Values.Select(g => g.Rules.ToArray())];
            firstBytes.Add(first);
            if (first is >= (byte)'a' and <= (byte)'z')
            {
                firstBytes.Add((byte)(first & ~0x20));
            }
        }
        _firstBytes = SearchValues.Create([.. firstBytes]);
    }

    /// <summary>Adds every rule whose pattern occurs (case-folded) in <paramref name="data"/> to <paramref name="into"/>.</summary>
    public void Scan(ReadOnlySpan<byte> data, CandidateRuleSet into)
    {
        int at = 0;
        while (at < data.Length)
        {
            int next = data[at..].IndexOfAny(_firstBytes);
            if (next < 0)
            {
                return;
            }
            at += next;
            byte first = MultiPatternMatcher.Fold(data[at]);
            var patterns = _patterns[first];
            for (int p = 0; p < patterns.Length; p++)
            {
                var pattern = patterns[p];
                if (at + pattern.Length <= data.Length && Matches(data.Slice(at, pattern.Length), pattern))
                {
                    foreach (int rule in _rules[first][p])
                    {
                        into.Add(rule);
                    }
                }
            }
            at++;
        }
    }

    private static bool Matches(ReadOnlySpan<byte> data, byte[] folded)
    {
        for (int i = 1; i < folded.Length; i++)
        {
            if (MultiPatternMatcher.Fold(data[i]) != folded[i])
            {
                return false;
            }
        }
        return true;
    }
}
