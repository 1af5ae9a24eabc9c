using AzNf.NetworkFunctions;
using AzNf.NetworkFunctions.Chain;
using AzNf.Packets.Capture;
using AzNf.Packets.Parsing;

namespace AzNf.Outputs.Captures;

/// <summary>One answer a stage built for a packet (a reject rule's TCP reset or ICMP error).</summary>
/// <param name="PacketIndex">The answered packet's capture index.</param>
/// <param name="TimestampNanos">The answered packet's capture time (the answer's time in the capture).</param>
/// <param name="LinkType">The answered frame's link type, which the answer keeps.</param>
/// <param name="Stage">The stage that answered.</param>
/// <param name="Frame">The answer.</param>
public sealed record RejectAnswer(long PacketIndex, long TimestampNanos, LinkType LinkType, string Stage, byte[] Frame);

/// <summary>What <see cref="RejectAnswers.Write"/> wrote.</summary>
/// <param name="Written">Answers written.</param>
/// <param name="OtherLinkType">Answers left out because their link type differs from the first answer's (a pcap file has one).</param>
public sealed record RejectAnswerCounts(long Written, long OtherLinkType);

/// <summary>
/// The answers the chain's reject rules built (<c>aznf run --write-rejects</c>), gathered per
/// partition without locks and written as one capture in the order of the packets they answer:
/// what an inline deployment would have sent back. Rejects are rare, so each answer is copied.
/// </summary>
public sealed class RejectAnswers : IChainOutput
{
    private readonly List<List<RejectAnswer>> _partitions = [];

    public IPartitionOutput ForPartition(ChainPartition partition)
    {
        var answers = new List<RejectAnswer>();
        lock (_partitions)
        {
            _partitions.Add(answers);
        }
        return new Recorder(answers);
    }

    /// <summary>Every answer in the order of the packets answered (a packet's own answers in the order built).</summary>
    public IReadOnlyList<RejectAnswer> Sorted()
    {
        lock (_partitions)
        {
            return _partitions.SelectMany(p => p).OrderBy(a => a.PacketIndex).ToList();
        }
    }

    /// <summary>Writes <paramref name="answers"/> to a pcap file (nanosecond timestamps) at <paramref name="path"/>.</summary>
    /// <exception cref="IOException">The file cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be written.</exception>
    public static RejectAnswerCounts Write(string path, IReadOnlyList<RejectAnswer> answers)
    {
        ArgumentNullException.ThrowIfNull(answers);
        var linkType = answers.Count > 0 ? answers[0].LinkType : LinkType.Ethernet;
        using var writer = PcapWriter.Create(path, linkType, nanosecondTimestamps: true);
        long written = 0, other = 0;
        foreach (var answer in answers)
        {
            if (answer.LinkType != linkType)
            {
                other++;
                continue;
            }
            writer.Write(answer.TimestampNanos, answer.Frame);
            written++;
        }
        return new RejectAnswerCounts(written, other);
    }

    private sealed class Recorder(List<RejectAnswer> answers) : IPartitionOutput
    {
        public void Alert(Alert alert)
        {
        }

        public void FlowEnded(FlowRecord flow)
        {
        }

        public void Dropped(in PacketContext packet, string stage, string reason)
        {
        }

        public void Answered(in PacketContext packet, string stage, ReadOnlySpan<byte> response) =>
            answers.Add(new RejectAnswer(packet.Index, packet.TimestampNanos, packet.Packet.LinkType, stage, response.ToArray()));

        public void Rewritten(in PacketContext packet)
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
