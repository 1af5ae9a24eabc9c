namespace AzNf.NetworkFunctions.Ids;

/// <summary>
/// The IDS prefilter, built once per rule set: finds every rule whose fast pattern occurs in a
/// buffer, ASCII case folded. It only nominates candidates, whose contents are then checked
/// exactly, so a false candidate costs time; a missed one would be a wrong verdict.
/// </summary>
/// <remarks>
/// <para>
/// Patterns of 4 bytes or more go to <see cref="SampledWindowFilter"/>s: those of 8 bytes or more
/// to one sampling every <c>min(shortest − 3, 16)</c>-th position, those of 4–7 bytes to one
/// sampling every <c>shortest − 3</c>-th, so short patterns do not slow the scan for the long
/// ones. Patterns of 1–3 bytes, shorter than a window, go to a <see cref="ShortPatternScanner"/>
/// (a vectorized jump to the next byte that can start one), built only when such patterns exist.
/// </para>
/// <para>
/// Measured (Release, the bench payloads: 4,000 random printable payloads of 1,446 bytes,
/// literals of 8–16 letters), ns per payload byte, Aho–Corasick DFA before → window filter:
/// ids-10 2.15 → 0.16, ids-100 2.17 → 0.18, ids-1000 2.84 → 0.28 (the DFA had 10,424 states at
/// 1,000 literals and one dependent table load per byte; the filter samples every 5th position
/// there and hashes into a 32 KiB bitmap).
/// </para>
/// </remarks>
internal sealed class MultiPatternMatcher
{
    private const int LongPatternLength = 8;
    private const int MaxStride = 16;

    private readonly ShortPatternScanner? _shortPatterns;
    private readonly SampledWindowFilter? _mediumPatterns;
    private readonly SampledWindowFilter? _longPatterns;
    private readonly int[] _emptyPatternRules;

    /// <param name="patterns">Each pattern with the rule it nominates.</param>
    public MultiPatternMatcher(IReadOnlyList<(byte[] Pattern, int Rule)> patterns)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        var rulesByPattern = new Dictionary<string, (byte[] Folded, List<int> Rules)>(StringComparer.Ordinal);
        var shortPatterns = new List<(byte[] Pattern, int Rule)>();
        var emptyPatternRules = new List<int>();
        foreach (var (pattern, rule) in patterns)
        {
            if (pattern.Length == 0)
            {
                emptyPatternRules.Add(rule);
            }
            else if (pattern.Length < SampledWindowFilter.WindowLength)
            {
                shortPatterns.Add((pattern, rule));
            }
            else
            {
                byte[] folded = [.. pattern.Select(Fold)];
                string key = Convert.ToHexString(folded);
                if (!rulesByPattern.TryGetValue(key, out var entry))
                {
                    entry = (folded, []);
                    rulesByPattern.Add(key, entry);
                }
                entry.Rules.Add(rule);
            }
        }
        _emptyPatternRules = [.. emptyPatternRules];
        _shortPatterns = shortPatterns.Count > 0 ? new ShortPatternScanner(shortPatterns) : null;
        _mediumPatterns = Build(rulesByPattern.Values.Where(p => p.Folded.Length < LongPatternLength).ToList(), int.MaxValue);
        _longPatterns = Build(rulesByPattern.Values.Where(p => p.Folded.Length >= LongPatternLength).ToList(), MaxStride);

        static SampledWindowFilter? Build(List<(byte[] Folded, List<int> Rules)> group, int maxStride)
        {
            if (group.Count == 0)
            {
                return null;
            }
            int stride = Math.Min(group.Min(p => p.Folded.Length) - (SampledWindowFilter.WindowLength - 1), maxStride);
            return new SampledWindowFilter([.. group.Select(p => (p.Folded, p.Rules.ToArray()))], stride);
        }
    }

    /// <summary>Adds every rule whose pattern occurs in <paramref name="data"/> to <paramref name="into"/>.</summary>
    public void Scan(ReadOnlySpan<byte> data, CandidateRuleSet into)
    {
        foreach (int rule in _emptyPatternRules)
        {
            into.Add(rule);
        }
        _shortPatterns?.Scan(data, into);
        _mediumPatterns?.Scan(data, into);
        _longPatterns?.Scan(data, into);
    }

    /// <summary>ASCII case folding as the prefilter applies it: A–Z to a–z, every other byte unchanged.</summary>
    internal static byte Fold(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;
}
