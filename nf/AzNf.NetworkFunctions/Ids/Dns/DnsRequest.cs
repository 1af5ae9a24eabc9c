using System.Buffers.Binary;

namespace AzNf.NetworkFunctions.Ids.Dns;

/// <summary>
/// Reads the questions of a DNS request (RFC 1035 message, no TCP length prefix) into dotted
/// names, one at a time, into a reused buffer: what <c>dns.query</c> inspects. A message that is
/// not a well-formed request (a response, a truncated header or question, a label past the
/// message, a compression loop) yields no question.
/// </summary>
internal sealed class DnsRequest : IInspectionBuffers
{
    private const int HeaderLength = 12;
    private const int MaxNameLength = 255;
    private const int MaxPointerJumps = 16;
    private readonly byte[] _name = new byte[MaxNameLength + 64];
    private int _nameLength;

    /// <summary>True when <paramref name="message"/> is a query (QR clear) with a whole header.</summary>
    public static bool IsRequest(ReadOnlySpan<byte> message, out int questions)
    {
        questions = 0;
        if (message.Length < HeaderLength || (message[2] & 0x80) != 0)
        {
            return false;
        }
        questions = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        return true;
    }

    /// <summary>
    /// Reads the question at <paramref name="offset"/> (the first is at 12) into this buffer's name;
    /// returns the offset of the next question, or -1 when the question is malformed.
    /// </summary>
    public int ReadQuestion(ReadOnlySpan<byte> message, int offset)
    {
        _nameLength = 0;
        int position = offset;
        int next = -1;
        int jumps = 0;
        while (true)
        {
            if (position >= message.Length)
            {
                return -1;
            }
            byte length = message[position];
            if ((length & 0xC0) == 0xC0)
            {
                if (position + 1 >= message.Length || ++jumps > MaxPointerJumps)
                {
                    return -1;
                }
                next = next < 0 ? position + 2 : next;
                position = ((length & 0x3F) << 8) | message[position + 1];
                continue;
            }
            if ((length & 0xC0) != 0)
            {
                return -1;
            }
            if (length == 0)
            {
                next = next < 0 ? position + 1 : next;
                break;
            }
            if (position + 1 + length > message.Length || _nameLength + length + 1 > MaxNameLength)
            {
                return -1;
            }
            if (_nameLength > 0)
            {
                _name[_nameLength++] = (byte)'.';
            }
            message.Slice(position + 1, length).CopyTo(_name.AsSpan(_nameLength));
            _nameLength += length;
            position += 1 + length;
        }
        // QTYPE and QCLASS follow the name.
        return next + 4 <= message.Length ? next + 4 : -1;
    }

    public bool TryGet(IdsBuffer buffer, out ReadOnlySpan<byte> span)
    {
        span = buffer == IdsBuffer.DnsQuery ? _name.AsSpan(0, _nameLength) : default;
        return buffer == IdsBuffer.DnsQuery;
    }
}
