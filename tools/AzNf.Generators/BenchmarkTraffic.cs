using System.Buffers.Binary;
using AzNf.Packets.Parsing;

namespace AzNf.Generators;

/// <summary>
/// Fixed-size TCP traffic for benchmarks: many flows, each opened by a handshake, then data
/// frames of exactly <c>frameSize</c> bytes alternating direction and interleaved across flows,
/// so the flow table works as it would with that many live flows.
/// </summary>
public sealed class BenchmarkTraffic
{
    private const int HeadersLength = 14 + 20 + 20; // Ethernet + IPv4 + TCP, no options

    private const int SequenceOffset = 14 + 20 + 4;
    private const int AcknowledgmentOffset = SequenceOffset + 4;

    private readonly bool[] _fromClient;
    private readonly uint _clientAdvance;
    private readonly uint _serverAdvance;
    private uint _advances;

    private BenchmarkTraffic(List<byte[]> handshakes, List<byte[]> data, bool[] fromClient, int frameSize, uint clientAdvance, uint serverAdvance)
    {
        Handshakes = handshakes;
        Data = data;
        FrameSize = frameSize;
        _fromClient = fromClient;
        _clientAdvance = clientAdvance;
        _serverAdvance = serverAdvance;
    }

    /// <summary>SYN, SYN-ACK, ACK of every flow: replay once to open the flows.</summary>
    public IReadOnlyList<byte[]> Handshakes { get; }

    /// <summary>Data frames of <see cref="FrameSize"/> bytes; replaying them opens and closes nothing.</summary>
    public IReadOnlyList<byte[]> Data { get; }

    public int FrameSize { get; }

    /// <summary>
    /// Builds <paramref name="flows"/> flows with <paramref name="dataPerFlow"/> data frames each.
    /// Payloads are printable text drawn from a fixed seed (like HTTP bodies), so pattern
    /// matchers see realistic byte distributions.
    /// </summary>
    public static BenchmarkTraffic Create(int frameSize, int flows, int dataPerFlow, int seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(frameSize, HeadersLength);
        var random = new Random(seed);
        var server = NetAddress.Parse("10.0.0.10");
        var handshakes = new List<byte[]>(flows * 3);
        var data = new List<byte[]>(flows * dataPerFlow);
        var clients = new (NetAddress Address, ushort Port, uint Seq, uint ServerSeq)[flows];
        for (int f = 0; f < flows; f++)
        {
            var client = NetAddress.FromIPv4(0xC0A80000u + (uint)(f / 50_000 << 16) + (uint)(f % 50_000) + 1);
            ushort port = (ushort)(10_000 + (f % 50_000));
            uint c = (uint)random.Next();
            uint s = (uint)random.Next();
            handshakes.Add(PacketBuilder.Tcp(client, port, server, 80, TcpFlags.Syn, c, 0));
            handshakes.Add(PacketBuilder.Tcp(server, 80, client, port, TcpFlags.Syn | TcpFlags.Ack, s, c + 1));
            handshakes.Add(PacketBuilder.Tcp(client, port, server, 80, TcpFlags.Ack, c + 1, s + 1));
            clients[f] = (client, port, c + 1, s + 1);
        }

        var payload = new byte[frameSize - HeadersLength];
        var fromClients = new bool[flows * dataPerFlow];
        for (int round = 0; round < dataPerFlow; round++)
        {
            for (int f = 0; f < flows; f++)
            {
                for (int i = 0; i < payload.Length; i++)
                {
                    payload[i] = (byte)random.Next(0x20, 0x7F);
                }
                ref var peer = ref clients[f];
                bool fromClient = round % 2 == 0;
                fromClients[data.Count] = fromClient;
                data.Add(fromClient
                    ? PacketBuilder.Tcp(peer.Address, peer.Port, server, 80, TcpFlags.Ack | TcpFlags.Psh, peer.Seq, peer.ServerSeq, payload)
                    : PacketBuilder.Tcp(server, 80, peer.Address, peer.Port, TcpFlags.Ack | TcpFlags.Psh, peer.ServerSeq, peer.Seq, payload));
                if (fromClient)
                {
                    peer.Seq += (uint)payload.Length;
                }
                else
                {
                    peer.ServerSeq += (uint)payload.Length;
                }
            }
        }
        uint clientAdvance = (uint)(((dataPerFlow + 1) / 2) * payload.Length);
        uint serverAdvance = (uint)((dataPerFlow / 2) * payload.Length);
        return new BenchmarkTraffic(handshakes, data, fromClients, frameSize, clientAdvance, serverAdvance);
    }

    /// <summary>
    /// Moves every data frame's sequence and acknowledgment numbers one replay ahead, so that a
    /// replay continues each TCP stream instead of retransmitting it (a reassembler would skip
    /// retransmitted bytes and make the benchmark look faster than it is). Checksums go stale;
    /// nothing on the measured path verifies them.
    /// </summary>
    public void AdvanceSequences() => MoveSequences(1);

    /// <summary>
    /// Puts every data frame back at its first replay's sequence numbers, so that a fresh chain
    /// that has just seen the handshakes finds the streams in order (a gap would make a
    /// reassembler buffer every segment as out of order).
    /// </summary>
    public void Rewind() => MoveSequences(unchecked(0u - _advances));

    private void MoveSequences(uint replays)
    {
        _advances = unchecked(_advances + replays);
        for (int i = 0; i < Data.Count; i++)
        {
            var frame = Data[i].AsSpan();
            uint own = unchecked((_fromClient[i] ? _clientAdvance : _serverAdvance) * replays);
            uint peer = unchecked((_fromClient[i] ? _serverAdvance : _clientAdvance) * replays);
            BinaryPrimitives.WriteUInt32BigEndian(frame[SequenceOffset..], BinaryPrimitives.ReadUInt32BigEndian(frame[SequenceOffset..]) + own);
            BinaryPrimitives.WriteUInt32BigEndian(frame[AcknowledgmentOffset..], BinaryPrimitives.ReadUInt32BigEndian(frame[AcknowledgmentOffset..]) + peer);
        }
    }
}
