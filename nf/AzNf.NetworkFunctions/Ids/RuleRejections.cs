namespace AzNf.NetworkFunctions.Ids;

/// <summary>How many rules were rejected for one reason, and where the first of them is.</summary>
public sealed record RuleRejection(string Reason, int Count, string FirstLocation);

/// <summary>
/// The loader's tally of rejected rules by reason (<see cref="RuleSyntaxException.Reason"/>), in
/// the order reasons were first met, so a user sees what to fix and where to look first.
/// </summary>
public sealed class RuleRejections
{
    private readonly Dictionary<string, RuleRejection> _byReason = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    public int Total { get; private set; }

    /// <summary>The reasons, most frequent first (first met first on a tie).</summary>
    public IReadOnlyList<RuleRejection> ByReason =>
        [.. _order.Select((reason, index) => (Rejection: _byReason[reason], index))
            .OrderByDescending(r => r.Rejection.Count).ThenBy(r => r.index).Select(r => r.Rejection)];

    public void Add(string reason, string where)
    {
        Total++;
        if (_byReason.TryGetValue(reason, out var known))
        {
            _byReason[reason] = known with { Count = known.Count + 1 };
            return;
        }
        _byReason[reason] = new RuleRejection(reason, 1, where);
        _order.Add(reason);
    }
}
