namespace AzNf.NetworkFunctions.Ids;

/// <summary>A <c>flowbits</c> command.</summary>
public enum IdsFlowbitsCommand : byte
{
    Set,
    Unset,
    Toggle,
    /// <summary>All named bits are set (<c>a&amp;b</c>), or any of them (<c>a|b</c>).</summary>
    IsSet,
    /// <summary>All named bits are clear (<c>a&amp;b</c>), or any of them (<c>a|b</c>).</summary>
    IsNotSet,
}

/// <summary>
/// One <c>flowbits</c> keyword: a condition (isset, isnotset) checked with the rule's other
/// conditions, or an action (set, unset, toggle) done when the whole rule matches — even when a
/// threshold or <c>noalert</c> keeps it from alerting, as in Suricata. Bits are indices of the
/// rule set's flowbit names.
/// </summary>
public sealed record IdsFlowbits(IdsFlowbitsCommand Command, int[] Bits, bool Any, string Text)
{
    public bool IsCondition => Command is IdsFlowbitsCommand.IsSet or IdsFlowbitsCommand.IsNotSet;
}
