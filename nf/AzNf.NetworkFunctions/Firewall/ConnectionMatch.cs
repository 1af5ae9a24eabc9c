namespace AzNf.NetworkFunctions.Firewall;

/// <summary>
/// The connection state a rule can ask for (<c>state new,established</c>), with iptables'
/// <c>ctstate</c> meaning: <see cref="New"/> while only the originator has spoken,
/// <see cref="Established"/> once the connection has been seen both ways (so the responder's
/// very first reply is already established), <see cref="Invalid"/> for a packet that fits no
/// tracked connection.
/// </summary>
[Flags]
public enum ConnectionMatch : byte
{
    None = 0,
    New = 1,
    Established = 2,
    Invalid = 4,
    Any = New | Established | Invalid,
}
