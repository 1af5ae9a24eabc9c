using System.Buffers.Binary;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Ids;

/// <summary>The packet header field an <see cref="IdsHeaderCondition"/> reads.</summary>
public enum IdsHeaderField : byte
{
    IcmpType,
    IcmpCode,
    IcmpId,
    IcmpSeq,
    IpProto,
    Ttl,
    IpId,
    TcpSeq,
    TcpAck,
    TcpWindow,
}

/// <summary>
/// A header keyword (<c>itype</c>, <c>icode</c>, <c>icmp_id</c>, <c>icmp_seq</c>, <c>ip_proto</c>,
/// <c>ttl</c>, <c>id</c>, <c>seq</c>, <c>ack</c>, <c>window</c>): the field's value must lie in
/// <c>[Min, Max]</c> (or outside it when negated). A packet without the field (a TCP keyword on
/// UDP, <c>id</c> on IPv6) does not match, as in Suricata.
/// </summary>
public sealed record IdsHeaderCondition(IdsHeaderField Field, long Min, long Max, bool Negated)
{
    public bool Matches(in ParsedPacket packet, ReadOnlySpan<byte> frame)
    {
        if (!TryRead(in packet, frame, out long value))
        {
            return false;
        }
        return (value >= Min && value <= Max) != Negated;
    }

    private bool TryRead(in ParsedPacket packet, ReadOnlySpan<byte> frame, out long value)
    {
        value = 0;
        switch (Field)
        {
            case IdsHeaderField.IcmpType or IdsHeaderField.IcmpCode or IdsHeaderField.IcmpId or IdsHeaderField.IcmpSeq:
                if (!packet.IsIcmp || !packet.HasTransport)
                {
                    return false;
                }
                bool echo = packet.IcmpType is 0 or 8 && packet.Protocol == IpProtocol.Icmp
                    || packet.IcmpType is 128 or 129 && packet.Protocol == IpProtocol.IcmpV6;
                if (Field is IdsHeaderField.IcmpId or IdsHeaderField.IcmpSeq && !echo)
                {
                    // Only echo messages carry an identifier and sequence number.
                    return false;
                }
                value = Field switch
                {
                    IdsHeaderField.IcmpType => packet.IcmpType,
                    IdsHeaderField.IcmpCode => packet.IcmpCode,
                    IdsHeaderField.IcmpId => packet.IcmpId,
                    _ => packet.TransportOffset + 8 <= frame.Length ? BinaryPrimitives.ReadUInt16BigEndian(frame[(packet.TransportOffset + 6)..]) : -1,
                };
                return value >= 0;
            case IdsHeaderField.IpProto:
                value = packet.Protocol;
                return packet.IpVersion != 0;
            case IdsHeaderField.Ttl:
                value = packet.Ttl;
                return packet.IpVersion != 0;
            case IdsHeaderField.IpId:
                if (packet.IpVersion != 4 || packet.NetworkOffset + 6 > frame.Length)
                {
                    return false;
                }
                value = BinaryPrimitives.ReadUInt16BigEndian(frame[(packet.NetworkOffset + 4)..]);
                return true;
            default:
                if (!packet.IsTcp || !packet.HasTransport)
                {
                    return false;
                }
                value = Field switch
                {
                    IdsHeaderField.TcpSeq => packet.TcpSequence,
                    IdsHeaderField.TcpAck => packet.TcpAcknowledgment,
                    _ => packet.TcpWindow,
                };
                return true;
        }
    }
}
