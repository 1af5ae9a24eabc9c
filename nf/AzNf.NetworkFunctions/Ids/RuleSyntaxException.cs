namespace AzNf.NetworkFunctions.Ids;

/// <summary>Why one rule was rejected; caught per rule so the rest of the file still loads.</summary>
/// <param name="message">What is wrong, for the <c>file:line</c> warning.</param>
/// <param name="reason">
/// A short, stable key that groups rejections for the loader report (<c>keyword:threshold</c>,
/// <c>protocol:smb</c>, <c>invalid</c> for a rule that is malformed rather than unsupported).
/// </param>
public sealed class RuleSyntaxException(string message, string reason = RuleSyntaxException.Invalid) : Exception(message)
{
    /// <summary>The reason of a rule Suricata would refuse too: bad syntax or contradictory options.</summary>
    public const string Invalid = "invalid";

    public string Reason { get; } = reason;
}
