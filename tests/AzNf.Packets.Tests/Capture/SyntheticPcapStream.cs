using System.Buffers.Binary;

namespace AzNf.Packets.Tests.Capture;

/// <summary>
/// A read-only, non-seekable pcap of any size generated on the fly: a file header, then
/// <c>count</c> identical records. It lets a test stream hundreds of megabytes without the
/// test itself holding them.
/// </summary>
internal sealed class SyntheticPcapStream : Stream
{
    private readonly byte[] _header = new byte[24];
    private readonly byte[] _record;
    private readonly long _count;
    private long _produced; // bytes handed out, header included

    public SyntheticPcapStream(long count, int frameLength)
    {
        _count = count;
        BinaryPrimitives.WriteUInt32LittleEndian(_header, 0xA1B2C3D4);
        BinaryPrimitives.WriteUInt16LittleEndian(_header.AsSpan(4), 2);
        BinaryPrimitives.WriteUInt16LittleEndian(_header.AsSpan(6), 4);
        BinaryPrimitives.WriteUInt32LittleEndian(_header.AsSpan(16), 65535);
        BinaryPrimitives.WriteUInt32LittleEndian(_header.AsSpan(20), 1);
        _record = new byte[16 + frameLength];
        BinaryPrimitives.WriteInt32LittleEndian(_record.AsSpan(8), frameLength);
        BinaryPrimitives.WriteInt32LittleEndian(_record.AsSpan(12), frameLength);
        _record.AsSpan(16).Fill(0x5A);
    }

    public long TotalLength => _header.Length + (_count * _record.Length);

    public override int Read(byte[] buffer, int offset, int count)
    {
        int written = 0;
        while (written < count && _produced < TotalLength)
        {
            ReadOnlySpan<byte> source;
            if (_produced < _header.Length)
            {
                source = _header.AsSpan((int)_produced);
            }
            else
            {
                source = _record.AsSpan((int)((_produced - _header.Length) % _record.Length));
            }
            int n = Math.Min(source.Length, count - written);
            source[..n].CopyTo(buffer.AsSpan(offset + written));
            written += n;
            _produced += n;
        }
        return written;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
