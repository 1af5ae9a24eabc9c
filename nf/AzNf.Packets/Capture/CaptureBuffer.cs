using System.Diagnostics;

namespace AzNf.Packets.Capture;

/// <summary>
/// A sliding window over a capture stream: one buffer, allocated once, refilled in large reads.
/// Spans handed out stay valid until the next <see cref="TryPeek"/> (which may compact the
/// buffer), so a reader can expose a record's bytes without copying them again.
/// </summary>
internal sealed class CaptureBuffer : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly byte[] _buffer;
    private int _start;
    private int _end;
    private long _bufferOrigin;
    private bool _endOfStream;

    public CaptureBuffer(Stream stream, int capacity, bool leaveOpen)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        _buffer = new byte[capacity];
    }

    /// <summary>The largest window <see cref="TryPeek"/> can return.</summary>
    public int Capacity => _buffer.Length;

    /// <summary>Byte offset in the stream of the next unconsumed byte.</summary>
    public long Position => _bufferOrigin + _start;

    /// <summary>The stream's length when it can tell, else null (pipes).</summary>
    public long? Length => _stream.CanSeek ? _stream.Length : null;

    /// <summary>Bytes available without reading, after a failed <see cref="TryPeek"/> the bytes left in the stream.</summary>
    public int Buffered => _end - _start;

    /// <summary>
    /// Makes <paramref name="count"/> bytes from <see cref="Position"/> readable; false when the
    /// stream ends first (then <see cref="Buffered"/> says how many there were).
    /// </summary>
    public bool TryPeek(int count, out ReadOnlySpan<byte> bytes)
    {
        Debug.Assert(count >= 0 && count <= _buffer.Length, "a window larger than the buffer");
        if (_end - _start < count && !Fill(count))
        {
            bytes = default;
            return false;
        }
        bytes = _buffer.AsSpan(_start, count);
        return true;
    }

    public void Advance(int count)
    {
        Debug.Assert(count <= _end - _start, "advancing past buffered data");
        _start += count;
    }

    /// <summary>Consumes <paramref name="count"/> bytes without buffering them; false when the stream ends first.</summary>
    public bool TrySkip(long count)
    {
        int inBuffer = (int)Math.Min(count, _end - _start);
        _start += inBuffer;
        count -= inBuffer;
        if (count == 0)
        {
            return true;
        }
        _bufferOrigin += _end;
        _start = _end = 0;
        if (_stream.CanSeek)
        {
            long remaining = _stream.Length - _stream.Position;
            long step = Math.Min(count, remaining);
            _stream.Seek(step, SeekOrigin.Current);
            _bufferOrigin += step;
            return step == count;
        }
        while (count > 0)
        {
            int read = _stream.Read(_buffer, 0, (int)Math.Min(count, _buffer.Length));
            if (read == 0)
            {
                _endOfStream = true;
                return false;
            }
            _bufferOrigin += read;
            count -= read;
        }
        return true;
    }

    private bool Fill(int count)
    {
        if (_start + count > _buffer.Length)
        {
            int kept = _end - _start;
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, kept);
            _bufferOrigin += _start;
            _start = 0;
            _end = kept;
        }
        while (_end - _start < count && !_endOfStream)
        {
            int read = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0)
            {
                _endOfStream = true;
            }
            _end += read;
        }
        return _end - _start >= count;
    }

    public void Dispose()
    {
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }
}
