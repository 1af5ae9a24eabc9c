namespace AzNf.NetworkFunctions.Firewall;

/// <summary>What to do with a rule line that cannot be parsed.</summary>
public enum BadRulePolicy : byte
{
    /// <summary>Refuse the whole file (as pf and iptables-restore do): a skipped deny rule is a hole.</summary>
    RejectFile = 0,
    /// <summary>Warn, skip the line and load the rest.</summary>
    SkipRule = 1,
}
