using System.Buffers.Binary;

namespace AzNf.NetworkFunctions.Ids.Tls;

/// <summary>What <see cref="TlsClientHello.Parse"/> found in the client's first bytes.</summary>
internal enum TlsHelloStatus : byte
{
    /// <summary>The bytes so far are the start of a TLS handshake; the ClientHello is not complete yet.</summary>
    NeedMore,
    /// <summary>A complete ClientHello (with or without a server name).</summary>
    Complete,
    /// <summary>Not a TLS handshake, or a malformed one.</summary>
    NotTls,
}

/// <summary>
/// Finds the server name (SNI) in a TLS ClientHello, which may span several records and
/// segments: handshake fragments are joined from the records' payloads into a scratch buffer,
/// then the ClientHello is walked to its <c>server_name</c> extension. TLS 1.0–1.3 and SSL 3.0
/// records; SSLv2-framed hellos are not TLS here.
/// </summary>
internal sealed class TlsClientHello : IInspectionBuffers
{
    public bool TryGet(IdsBuffer buffer, out ReadOnlySpan<byte> span)
    {
        span = buffer == IdsBuffer.TlsSni && HasServerName ? ServerName : default;
        return buffer == IdsBuffer.TlsSni && HasServerName;
    }

    private const byte HandshakeRecord = 22;
    private const byte ClientHelloType = 1;
    private byte[] _handshake = new byte[512];

    /// <summary>The server name of the last complete ClientHello (empty when it sent none).</summary>
    public ReadOnlySpan<byte> ServerName => _handshake.AsSpan(_nameStart, _nameLength);

    public bool HasServerName => _nameLength > 0;

    private int _nameStart;
    private int _nameLength;

    /// <summary>Parses the client's stream from its first byte.</summary>
    public TlsHelloStatus Parse(ReadOnlySpan<byte> stream)
    {
        _nameLength = 0;
        int joined = 0;
        int position = 0;
        while (true)
        {
            if (stream.Length - position < 5)
            {
                return position == 0 && stream.Length > 0 && stream[0] != HandshakeRecord ? TlsHelloStatus.NotTls : TlsHelloStatus.NeedMore;
            }
            var header = stream.Slice(position, 5);
            int length = BinaryPrimitives.ReadUInt16BigEndian(header[3..]);
            if (header[0] != HandshakeRecord || header[1] != 3 || header[2] > 4 || length == 0 || length > 16_384 + 2048)
            {
                return TlsHelloStatus.NotTls;
            }
            if (stream.Length - position - 5 < length)
            {
                return TlsHelloStatus.NeedMore;
            }
            if (_handshake.Length < joined + length)
            {
                Array.Resize(ref _handshake, Math.Max(joined + length, _handshake.Length * 2));
            }
            stream.Slice(position + 5, length).CopyTo(_handshake.AsSpan(joined));
            joined += length;
            position += 5 + length;
            if (joined >= 4)
            {
                if (_handshake[0] != ClientHelloType)
                {
                    return TlsHelloStatus.NotTls;
                }
                int helloLength = (_handshake[1] << 16) | (_handshake[2] << 8) | _handshake[3];
                if (joined >= 4 + helloLength)
                {
                    return ParseHello(4, helloLength) ? TlsHelloStatus.Complete : TlsHelloStatus.NotTls;
                }
            }
        }
    }

    private bool ParseHello(int start, int length)
    {
        var hello = _handshake.AsSpan(start, length);
        int p = 2 + 32;
        if (!Skip(hello, ref p, 1) || !Skip(hello, ref p, 2) || !Skip(hello, ref p, 1))
        {
            return false;
        }
        if (p == hello.Length)
        {
            return true;
        }
        if (p + 2 > hello.Length)
        {
            return false;
        }
        int extensionsEnd = p + 2 + BinaryPrimitives.ReadUInt16BigEndian(hello[p..]);
        p += 2;
        if (extensionsEnd > hello.Length)
        {
            return false;
        }
        while (p + 4 <= extensionsEnd)
        {
            int type = BinaryPrimitives.ReadUInt16BigEndian(hello[p..]);
            int size = BinaryPrimitives.ReadUInt16BigEndian(hello[(p + 2)..]);
            p += 4;
            if (p + size > extensionsEnd)
            {
                return false;
            }
            if (type == 0 && size >= 5)
            {
                var names = hello.Slice(p, size);
                int listLength = BinaryPrimitives.ReadUInt16BigEndian(names);
                if (names[2] == 0 && 2 + listLength <= size)
                {
                    int nameLength = BinaryPrimitives.ReadUInt16BigEndian(names[3..]);
                    if (5 + nameLength <= size)
                    {
                        _nameStart = start + p + 5;
                        _nameLength = nameLength;
                    }
                }
            }
            p += size;
        }
        return true;
    }

    // Skips a field with a length prefix of the given width.
    private static bool Skip(ReadOnlySpan<byte> hello, ref int p, int width)
    {
        if (p + width > hello.Length)
        {
            return false;
        }
        int length = width == 1 ? hello[p] : BinaryPrimitives.ReadUInt16BigEndian(hello[p..]);
        p += width + length;
        return p <= hello.Length;
    }
}
