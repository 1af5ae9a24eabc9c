using System.Buffers.Binary;
using AzNf.NetworkFunctions;
using AzNf.NetworkFunctions.Chain;

namespace AzNf.Outputs.Captures;

/// <summary>
/// The frames a rewriting stage (a NAT) changed, as they left the chain, so that the forwarded
/// capture holds the translated packets (<see cref="VerdictCaptures"/>). Each partition appends its
/// own to a temporary file, in capture order (a partition is one ordered stream), without locks;
/// reading merges the partitions' files by capture index. Memory stays one frame per partition
/// whatever the capture's size; the files are deleted when this is disposed.
/// </summary>
public sealed class RewrittenFrames : IChainOutput, IDisposable
{
    private readonly List<Recorder> _partitions = [];
    private Recorder[]? _reading;

    public IPartitionOutput ForPartition(ChainPartition partition)
    {
        var recorder = new Recorder();
        lock (_partitions)
        {
            _partitions.Add(recorder);
        }
        return recorder;
    }

    /// <summary>Packets rewritten and forwarded, over every partition.</summary>
    public long Count
    {
        get
        {
            lock (_partitions)
            {
                return _partitions.Sum(p => p.Count);
            }
        }
    }

    /// <summary>
    /// The frame packet <paramref name="index"/> left the chain as, when a stage changed it. Asked
    /// in ascending index order after the run (each partition's file is read once, front to back).
    /// </summary>
    public bool TryTake(long index, out byte[] frame)
    {
        if (_reading is null)
        {
            lock (_partitions)
            {
                _reading = [.. _partitions];
            }
            foreach (var partition in _reading)
            {
                partition.StartReading();
            }
        }
        foreach (var partition in _reading)
        {
            if (partition.TryTake(index, out frame))
            {
                return true;
            }
        }
        frame = [];
        return false;
    }

    public void Dispose()
    {
        lock (_partitions)
        {
            foreach (var partition in _partitions)
            {
                partition.Dispose();
            }
        }
    }

    private sealed class Recorder : IPartitionOutput, IDisposable
    {
        private readonly FileStream _file = new(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        private readonly byte[] _header = new byte[12];
        private long _nextIndex = -1;
        private byte[] _next = [];

        public long Count { get; private set; }

        public void Rewritten(in PacketContext packet)
        {
            BinaryPrimitives.WriteInt64LittleEndian(_header, packet.Index);
            BinaryPrimitives.WriteInt32LittleEndian(_header.AsSpan(8), packet.Frame.Length);
            _file.Write(_header);
            _file.Write(packet.Frame);
            Count++;
        }

        public void StartReading()
        {
            _file.Flush();
            _file.Position = 0;
            Advance();
        }

        public bool TryTake(long index, out byte[] frame)
        {
            // Indexes only grow, in the file and in the questions; a packet not asked for (one of
            // another link type) is passed over.
            while (_nextIndex >= 0 && _nextIndex < index)
            {
                Advance();
            }
            if (_nextIndex != index)
            {
                frame = [];
                return false;
            }
            frame = _next;
            Advance();
            return true;
        }

        public void Dispose() => _file.Dispose();

        private void Advance()
        {
            if (_file.Read(_header) < _header.Length)
            {
                _nextIndex = -1;
                return;
            }
            _nextIndex = BinaryPrimitives.ReadInt64LittleEndian(_header);
            _next = new byte[BinaryPrimitives.ReadInt32LittleEndian(_header.AsSpan(8))];
            _file.ReadExactly(_next);
        }

        public void Alert(Alert alert)
        {
        }

        public void FlowEnded(FlowRecord flow)
        {
        }

        public void Dropped(in PacketContext packet, string stage, string reason)
        {
        }

        public void Answered(in PacketContext packet, string stage, ReadOnlySpan<byte> response)
        {
        }

        public void BatchEnded(int packets, TimeSpan elapsed)
        {
        }

        public void Flush()
        {
        }
    }
}
