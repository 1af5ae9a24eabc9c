namespace AzNf.NetworkFunctions.Firewall;

/// <summary>Stable names of <see cref="ConntrackState"/> for counters and docs.</summary>
public static class ConntrackStates
{
    /// <summary>Number of states, for arrays indexed by state.</summary>
    public const int Count = (int)ConntrackState.OtherReplied + 1;

    private static readonly string[] Names =
    [
        "NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE",
        "UDP_UNREPLIED", "UDP_REPLIED", "ICMP_UNREPLIED", "ICMP_REPLIED", "OTHER_UNREPLIED", "OTHER_REPLIED",
    ];

    public static string Name(ConntrackState state) => Names[(int)state];
}
