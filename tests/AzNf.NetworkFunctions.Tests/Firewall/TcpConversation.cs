using AzNf.Generators;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Tests.Firewall;

/// <summary>
/// Builds the TCP segments of one conversation between A (10.0.0.1:40000, the originator) and
/// B (10.0.0.2:80) with consistent sequence and acknowledgment numbers, from short step codes:
/// <c>A:S</c> SYN, <c>B:SA</c> SYN-ACK, <c>A:A</c> ACK, <c>A:D</c> ACK with 10 bytes of data,
/// <c>A:F</c> FIN-ACK, <c>A:R</c> RST, <c>A:RA</c> RST-ACK; a trailing <c>!</c> repeats the
/// side's previous acknowledgment number (acknowledging nothing new); <c>SF</c> (SYN+FIN),
/// <c>N</c> (no flags) and <c>FO</c> (FIN without ACK) are invalid combinations.
/// </summary>
internal sealed class TcpConversation(NetAddress a, NetAddress b, ushort portA = 40000, ushort portB = 80)
{
    private readonly uint[] _next = [1000, 5000];
    private readonly uint[] _lastAck = [0, 0];

    public TcpConversation()
        : this(NetAddress.Parse("10.0.0.1"), NetAddress.Parse("10.0.0.2"))
    {
    }

    public byte[] Frame(string step, out bool fromA)
    {
        fromA = step[0] == 'A';
        string code = step[2..];
        bool stale = code.EndsWith('!');
        code = code.TrimEnd('!');
        int side = fromA ? 0 : 1;
        int other = 1 - side;
        var flags = code switch
        {
            "S" => TcpFlags.Syn,
            "SA" => TcpFlags.Syn | TcpFlags.Ack,
            "A" or "D" => TcpFlags.Ack,
            "F" => TcpFlags.Fin | TcpFlags.Ack,
            "R" => TcpFlags.Rst,
            "RA" => TcpFlags.Rst | TcpFlags.Ack,
            "SF" => TcpFlags.Syn | TcpFlags.Fin,
            "N" => TcpFlags.None,
            "FO" => TcpFlags.Fin,
            _ => throw new ArgumentException("unknown step " + step),
        };
        byte[] payload = code == "D" ? new byte[10] : [];
        uint sequence = _next[side];
        uint acknowledgment = (flags & TcpFlags.Ack) == 0 ? 0 : stale ? _lastAck[side] : _next[other];
        if ((flags & TcpFlags.Ack) != 0)
        {
            _lastAck[side] = acknowledgment;
        }
        _next[side] += (uint)payload.Length + ((flags & TcpFlags.Syn) != 0 ? 1u : 0) + ((flags & TcpFlags.Fin) != 0 ? 1u : 0);
        return fromA
            ? PacketBuilder.Tcp(a, portA, b, portB, flags, sequence, acknowledgment, payload)
            : PacketBuilder.Tcp(b, portB, a, portA, flags, sequence, acknowledgment, payload);
    }

    public static ParsedPacket Parse(byte[] frame)
    {
        var reason = PacketParser.Parse(LinkType.Ethernet, frame, out var packet);
        Assert.Equal(MalformedReason.None, reason);
        return packet;
    }
}
