using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Ids;

/// <summary>
/// The <c>flags</c> keyword: <c>flags:[!|*|+]FLAGS[,IGNORED]</c>. Without a modifier the packet's
/// flags (less the ignored ones) must equal FLAGS exactly; <c>+</c> all of FLAGS and maybe more;
/// <c>*</c> any of FLAGS; <c>!</c> none of FLAGS. <c>0</c> means no flag set.
/// </summary>
public sealed record IdsTcpFlagsCondition(TcpFlags Flags, char Modifier, TcpFlags Ignored)
{
    public bool Matches(TcpFlags packetFlags)
    {
        var seen = packetFlags & ~Ignored;
        return Modifier switch
        {
            '+' => (seen & Flags) == Flags,
            '*' => (seen & Flags) != 0 || Flags == TcpFlags.None,
            '!' => (seen & Flags) == 0,
            _ => seen == Flags,
        };
    }
}
