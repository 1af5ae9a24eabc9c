namespace AzNf.NetworkFunctions.Ids;

/// <summary>
/// What a matching rule does. The numeric order is the evaluation order, as Suricata's default
/// <c>action-order</c> (pass, drop, reject, alert): a pass rule silences the others.
/// </summary>
public enum IdsRuleAction : byte
{
    Pass = 0,
    Drop = 1,
    /// <summary>Drops like <see cref="Drop"/> and answers the packet (<see cref="IdsRule.RejectTo"/>).</summary>
    Reject = 2,
    Alert = 3,
}

/// <summary>Whom a <c>reject</c> rule answers: <c>reject</c>/<c>rejectsrc</c>, <c>rejectdst</c>, <c>rejectboth</c>.</summary>
[Flags]
public enum IdsRejectTarget : byte
{
    None = 0,
    Source = 1,
    Destination = 2,
    Both = Source | Destination,
}
