namespace AzNf.NetworkFunctions.Ids;

/// <summary>
/// The rules picked for one inspection buffer, without duplicates and without allocation: a
/// generation stamp per rule marks membership, so clearing is one increment.
/// </summary>
internal sealed class CandidateRuleSet
{
    private readonly int[] _stamps;
    private readonly int[] _rules;
    private int _generation = 1;

    public CandidateRuleSet(int ruleCount)
    {
        _stamps = new int[ruleCount];
        _rules = new int[ruleCount];
    }

    public int Count { get; private set; }

    /// <summary>The candidates; sorted after <see cref="Sort"/>.</summary>
    public ReadOnlySpan<int> Rules => _rules.AsSpan(0, Count);

    public void Clear()
    {
        Count = 0;
        if (++_generation == int.MaxValue)
        {
            Array.Clear(_stamps);
            _generation = 1;
        }
    }

    public void Add(int rule)
    {
        if (_stamps[rule] != _generation)
        {
            _stamps[rule] = _generation;
            _rules[Count++] = rule;
        }
    }

    public bool Contains(int rule) => _stamps[rule] == _generation;

    /// <summary>Orders candidates by rule index, which is evaluation order (pass, drop, alert).</summary>
    public void Sort() => _rules.AsSpan(0, Count).Sort();
}
