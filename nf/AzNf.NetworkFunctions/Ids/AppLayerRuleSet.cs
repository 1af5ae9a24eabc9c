namespace AzNf.NetworkFunctions.Ids;

/// <summary>
/// The app-layer rules matched at one moment (an HTTP transaction's head or end, a DNS request), with a prefilter per buffer: a rule is
/// a candidate when its fast pattern occurs in the buffer that pattern belongs to, or always
/// when it has no fast pattern.
/// </summary>
internal sealed class AppLayerRuleSet
{
    /// <param name="rules">The stage's rules.</param>
    /// <param name="belongs">Which of them this moment matches.</param>
    /// <param name="bodyOfThisSide">
    /// The body buffer <c>file.data</c> is at this moment (the request body at a request's moments,
    /// the response body at a response's): their fast patterns share one matcher, so the body is
    /// scanned once, not twice.
    /// </param>
    public AppLayerRuleSet(IdsRule[] rules, Func<IdsRule, bool> belongs, IdsBuffer? bodyOfThisSide = null)
    {
        var always = new List<int>();
        var byBuffer = new Dictionary<IdsBuffer, List<(byte[] Pattern, int Rule)>>();
        for (int i = 0; i < rules.Length; i++)
        {
            var rule = rules[i];
            if (!rule.IsAppLayer || !belongs(rule))
            {
                continue;
            }
            // A transformed buffer's fast pattern is not in the raw buffer the prefilter scans.
            if (rule.FastPatternCheck is { } fast && !rule.BufferGroups.Any(g => g.Buffer == fast.Buffer && g.TransformArray.Length > 0))
            {
                if (!byBuffer.TryGetValue(fast.Buffer, out var patterns))
                {
                    byBuffer[fast.Buffer] = patterns = [];
                }
                patterns.Add((fast.Pattern!, i));
            }
            else
            {
                always.Add(i);
            }
        }
        if (bodyOfThisSide is { } body && byBuffer.Remove(body, out var bodyPatterns))
        {
            if (!byBuffer.TryGetValue(IdsBuffer.FileData, out var fileData))
            {
                byBuffer[IdsBuffer.FileData] = fileData = [];
            }
            fileData.AddRange(bodyPatterns);
        }
        Always = [.. always];
        Prefilters = [.. byBuffer.OrderBy(b => b.Key).Select(b => (b.Key, new MultiPatternMatcher(b.Value)))];
        IsEmpty = Always.Length == 0 && Prefilters.Length == 0;
    }

    /// <summary>Rules without a fast pattern: candidates in every transaction.</summary>
    public int[] Always { get; }

    public (IdsBuffer Buffer, MultiPatternMatcher Matcher)[] Prefilters { get; }

    public bool IsEmpty { get; }
}
