using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Ids;

/// <summary>
/// The <c>flags</c> keyword: <c>flags:[!|*|+]FLAGS[,IGNORED]</c>. Without a modifier the packet's
/// flags (less the ignored ones) must equal FLAGS exactly; <c>+</c> all of FLAGS and maybe more;
/// <c>*</c> any of FLAGS; <c>!</c> not all of FLAGS (Suricata's meaning, so <c>!SA</c> matches a
/// bare SYN). <c>0</c> means no flag set.
/// </summary>
public sealed record IdsTcpFlagsCondition(TcpFlags Flags, char Modifier, TcpFlags Ignored)
{
    public bool Matches(TcpFlags packetFlags)
    {
        // Suricata 7 (FlagsMatch): "0" against a packet with any flag set only matches with '!'.
        if (Flags == TcpFlags.None && packetFlags != TcpFlags.None)
        {
            return Modifier == '!';
        }
        var seen = packetFlags & ~Ignored;
        return Modifier switch
        {
            '+' => (seen & Flags) == Flags,
            '*' => (seen & Flags) != 0,
            '!' => (seen & Flags) != Flags,
            _ => seen == Flags,
        };
    }
}
