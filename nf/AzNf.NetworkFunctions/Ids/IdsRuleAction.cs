namespace AzNf.NetworkFunctions.Ids;

/// <summary>
/// What a matching rule does. The numeric order is the evaluation order, as Suricata's default
/// <c>action-order</c> (pass, drop, reject, alert): a pass rule silences the others.
/// </summary>
public enum IdsRuleAction : byte
{
    Pass = 0,
    Drop = 1,
    Alert = 2,
}
